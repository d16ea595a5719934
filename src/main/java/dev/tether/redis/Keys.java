package dev.tether.redis;

/**
 * The Redis key layout (docs/redis-protocol.md explains the protocol). Every key starts with the
 * prefix, so several Tether installations can share a server by using different prefixes.
 */
final class Keys {
    static final String GROUP = "workers";
    private final String p;

    Keys(String prefix) {
        this.p = prefix.endsWith(":") ? prefix : prefix + ":";
    }

    /**
     * The layout for a Redis Cluster: the prefix is every key's hash tag ({@code {tether}:run:ID}), so
     * all of one prefix's keys share one slot. The scripts and transactions of the protocol read and
     * write keys across runs (the live index, the queues, the workers' sets): on one slot they run on
     * one node, as on a single Redis. A cluster spreads prefixes, not the runs of one prefix.
     */
    static Keys hashTagged(String prefix) {
        var name = prefix.endsWith(":") ? prefix.substring(0, prefix.length() - 1) : prefix;
        return new Keys("{" + name + "}:");
    }

    /** The cluster slot every key of this layout falls in when it is {@linkplain #hashTagged hash-tagged}. */
    int slot() {
        return redis.clients.jedis.util.JedisClusterCRC16.getSlot(p);
    }

    static Keys standard() {
        return new Keys("tether");
    }

    /** Stream of jobs of one queue; consumer group {@value #GROUP}. */
    String queue(String queue) { return p + "q:" + queue; }
    /** Set of every queue ever used (what the lost-worker sweep scans). */
    String queues() { return p + "queues"; }
    /** Hash of one run: v (version), t (terminal 0/1), j (snapshot JSON). Expires once terminal. */
    String run(String runId) { return p + "run:" + runId; }
    /** Set of the ids of non-terminal runs. */
    String active() { return p + "runs:active"; }
    /** Sorted set (all scores 0) indexing run ids by their start, their end and the run they resume ({@link RunIndex}). */
    String ids() { return p + "runs:ids"; }
    /** Sorted set (all scores 0) of the active runs in id order, whole and by status, worker, queue and graph ({@link RunStore#activePage}). */
    String live() { return p + "runs:live"; }
    /** Sorted set of finished run ids by end time (bounded). */
    String finished() { return p + "runs:finished"; }
    /** Channel: every accepted snapshot, as JSON. */
    String events() { return p + "events"; }
    /** Durable cancel record of one run (with expiry). */
    String cancel(String runId) { return p + "cancel:" + runId; }
    /** Channel: run ids to cancel (the fast path beside the record). */
    String cancels() { return p + "cancels"; }
    /** A live worker's heartbeat record (JSON; expires after 3 missed beats). */
    String worker(String name) { return p + "worker:" + name; }
    /** What the sweep does with the jobs of this worker if it is lost ({@link LostRunPolicy}); set when it starts. */
    String workerPolicy(String name) { return p + "worker:" + name + ":policy"; }
    /** Set of the run ids a worker has taken. */
    String workerRuns(String name) { return p + "worker:" + name + ":runs"; }
    /** Set of worker names that announced themselves (live or not yet swept). */
    String workers() { return p + "workers"; }
    /** Lock so that one participant at a time sweeps for lost workers. */
    String sweepLock() { return p + "lock:sweep"; }
    /** List of one run's checkpoints, oldest first (JSON entries; see RedisCheckpointStore). */
    String checkpoints(String runId) { return p + "cp:" + runId; }
    /** Bytes held by one run's checkpoint list. */
    String checkpointBytes(String runId) { return p + "cp:" + runId + ":bytes"; }
    /** Set by a cancel in rollback mode: the run's checkpoints are discarded when it has stopped. */
    String rollback(String runId) { return p + "rollback:" + runId; }
    /** The prefix itself, for scripts that name a run's keys from its id. */
    String prefix() { return p; }
    /** Hash of a job kept outside its stream: a retry until it falls due, a run held at a concurrency limit. */
    String job(String runId) { return p + "job:" + runId; }
    /** Sorted set of the retries of one queue by due time (epoch ms). */
    String due(String queue) { return p + "due:" + queue; }
    /** Hash of one concurrency limit's places: run id to the worker holding it. */
    String lease(String limit) { return p + "lease:" + limit; }
    /** Sorted set of the runs waiting at one concurrency limit, by submit time. */
    String waiting(String limit) { return p + "wait:" + limit; }
    /** Hash of every concurrency limit seen, to its size. */
    String limits() { return p + "limits"; }
    /** Hash of the server-side configuration only the admin role writes ({@code finished-cap}: the finished index's cap). */
    String config() { return p + "config"; }
    /** Stream of entries no worker could run (malformed, unknown graph), with the reason. */
    String deadLetters() { return p + "dead"; }
}
