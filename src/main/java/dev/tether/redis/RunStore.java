package dev.tether.redis;

import dev.tether.json.Json;
import dev.tether.run.RunSnapshot;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.SetParams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Run state in Redis. Snapshots are made by the one state machine in whichever process applied the
 * event; Redis keeps the newest by version, and a terminal snapshot is final there too (checked
 * and written atomically by a script, which also publishes the accepted snapshot).
 */
final class RunStore {
    /** Outcome of {@link #put}: accepted, older than what is stored, or refused because the stored run already ended. */
    enum Put { ACCEPTED, STALE, ALREADY_TERMINAL }

    private static final String PUT = """
            local cur = redis.call('HMGET', KEYS[1], 'v', 't')
            if cur[1] then
              if cur[2] == '1' then return -1 end
              if tonumber(cur[1]) >= tonumber(ARGV[1]) then return 0 end
            end
            redis.call('HSET', KEYS[1], 'v', ARGV[1], 't', ARGV[2], 'j', ARGV[3])
            if ARGV[2] == '1' then
              redis.call('SREM', KEYS[2], ARGV[4])
              redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4])
              redis.call('PEXPIRE', KEYS[1], ARGV[6])
              local n = redis.call('ZCARD', KEYS[3])
              local cap = tonumber(ARGV[7])
              if n > cap then redis.call('ZREMRANGEBYRANK', KEYS[3], 0, n - cap - 1) end
            else
              redis.call('SADD', KEYS[2], ARGV[4])
            end
            redis.call('PUBLISH', KEYS[4], ARGV[3])
            return 1
            """;

    private final UnifiedJedis redis;
    private final Keys keys;
    private final Duration finishedTtl;
    private final int finishedKept;
    private volatile String putSha;

    RunStore(UnifiedJedis redis, Keys keys, Duration finishedTtl, int finishedKept) {
        this.redis = redis;
        this.keys = keys;
        this.finishedTtl = finishedTtl;
        this.finishedKept = finishedKept;
    }

    Keys keys() {
        return keys;
    }

    Put put(RunSnapshot s) {
        Object r;
        try {
            r = redis.evalsha(sha(), putKeys(s), putArgs(s));
        } catch (JedisNoScriptException e) { // the server restarted and lost its scripts
            putSha = null;
            r = redis.evalsha(sha(), putKeys(s), putArgs(s));
        }
        return outcome(r);
    }

    /**
     * A new run: its QUEUED state, then its job on the queue's stream, in one round trip (a
     * pipeline keeps the order: a worker that takes the job finds the state).
     */
    void putAndEnqueue(RunSnapshot queued, String stream, java.util.Map<String, String> job, long streamMax) {
        var sha = sha();
        try (var pipe = redis.pipelined()) {
            var put = pipe.evalsha(sha, putKeys(queued), putArgs(queued));
            pipe.xadd(stream, XAddParams.xAddParams().maxLen(streamMax).approximateTrimming(), job);
            pipe.sync();
            put.get();
        } catch (redis.clients.jedis.exceptions.JedisDataException e) { // NOSCRIPT after a server restart
            putSha = null;
            put(queued);
            redis.xadd(stream, XAddParams.xAddParams().maxLen(streamMax).approximateTrimming(), job);
        }
    }

    /** Many snapshots in one round trip; outcomes in the same order. */
    List<Put> putAll(List<RunSnapshot> batch) {
        if (batch.size() == 1) return List.of(put(batch.getFirst()));
        var sha = sha();
        try (var pipe = redis.pipelined()) {
            var responses = batch.stream().map(s -> pipe.evalsha(sha, putKeys(s), putArgs(s))).toList();
            pipe.sync();
            return responses.stream().map(r -> outcome(r.get())).toList();
        } catch (redis.clients.jedis.exceptions.JedisDataException e) { // NOSCRIPT after a server restart
            putSha = null;
            return batch.stream().map(this::put).toList();
        }
    }

    private String sha() {
        var s = putSha;
        if (s == null) putSha = s = redis.scriptLoad(PUT);
        return s;
    }

    private List<String> putKeys(RunSnapshot s) {
        return List.of(keys.run(s.runId()), keys.active(), keys.finished(), keys.events());
    }

    private List<String> putArgs(RunSnapshot s) {
        return List.of(Long.toString(s.version()), s.isTerminal() ? "1" : "0", Json.write(s), s.runId(),
                Long.toString(s.endedAt() == null ? System.currentTimeMillis() : s.endedAt().toEpochMilli()),
                Long.toString(finishedTtl.toMillis()), Integer.toString(finishedKept));
    }

    private static Put outcome(Object r) {
        long code = (Long) r;
        return code == 1 ? Put.ACCEPTED : code == 0 ? Put.STALE : Put.ALREADY_TERMINAL;
    }

    Optional<RunSnapshot> get(String runId) {
        var json = redis.hget(keys.run(runId), "j");
        return json == null ? Optional.empty() : Optional.of(Json.read(json, RunSnapshot.class));
    }

    List<RunSnapshot> active() {
        return load(new ArrayList<>(redis.smembers(keys.active())));
    }

    List<RunSnapshot> finished(int limit) {
        return load(redis.zrevrange(keys.finished(), 0, limit - 1L));
    }

    private List<RunSnapshot> load(List<String> ids) {
        var out = new ArrayList<RunSnapshot>(ids.size());
        if (ids.isEmpty()) return out;
        try (var pipe = redis.pipelined()) {
            var responses = ids.stream().map(id -> pipe.hget(keys.run(id), "j")).toList();
            pipe.sync();
            for (var r : responses) {
                var json = r.get();
                if (json != null) out.add(Json.read(json, RunSnapshot.class));
            }
        }
        return out;
    }

    /** Writes the durable cancel record (it outlives a worker that is down) and publishes the id. */
    void requestCancel(String runId, Duration keepFor) {
        redis.set(keys.cancel(runId), "1", SetParams.setParams().px(keepFor.toMillis()));
        redis.publish(keys.cancels(), runId);
    }

    /** What a worker needs to know before it starts a run: whether the run already ended, and whether a cancel awaits it. */
    record Claim(boolean terminal, boolean cancelRequested) {}

    /**
     * Records the run as this worker's and reads its terminal flag and cancel record, in one round
     * trip. The snapshot itself is not read: parsing it for every job was a tenth of a worker's CPU.
     */
    Claim claim(String runId, String worker) {
        try (var pipe = redis.pipelined()) {
            pipe.sadd(keys.workerRuns(worker), runId);
            var terminal = pipe.hget(keys.run(runId), "t");
            var cancel = pipe.exists(keys.cancel(runId));
            pipe.sync();
            return new Claim("1".equals(terminal.get()), cancel.get());
        }
    }

    boolean cancelRequested(String runId) {
        return redis.exists(keys.cancel(runId));
    }
}
