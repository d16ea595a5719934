package dev.tether.redis;

import dev.tether.engine.Job;
import dev.tether.engine.RunRequest;
import dev.tether.engine.RunSource;
import dev.tether.run.ErrorInfo;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XPendingParams;
import redis.clients.jedis.resps.StreamPendingEntry;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

/**
 * A worker's supply of jobs: its queues' streams, read through the consumer group (each entry goes
 * to one worker and stays pending until its run has ended: at-least-once).
 *
 * <ul>
 *   <li>One slot reads at a time, for itself and the slots waiting their turn. Redis returns up to that
 *       many entries <em>per stream</em>; every one of them is now pending on this worker, so the ones not
 *       taken at once wait in a local buffer, never dropped.</li>
 *   <li>A job starts only through the claim script: still QUEUED and no cancel record, then RUNNING
 *       here, in one step. A duplicate delivery finds the run taken and is acknowledged.</li>
 *   <li>Any Redis error is retried with backoff; an entry being handled when it happened goes back to
 *       the buffer. {@link #poll} never throws, so a slot never dies of it.</li>
 *   <li>A malformed entry goes to the dead-letter stream with the reason, its run (if any) FAILED.
 *       An entry for a graph this worker lacks goes back on its queue for a worker that has it, or
 *       FAILED when no live worker on that queue has it.</li>
 *   <li>The end of a run is recorded and its job acknowledged in one script; if Redis is away, that
 *       is retried until it gets through.</li>
 * </ul>
 */
final class RedisRunSource implements RunSource {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RedisRunSource.class);
    static final long DEAD_LETTERS_KEPT = 10_000;
    private static final long READ_BLOCK_MILLIS = 500;
    /** How long a slot waits for its turn to read before it looks at the buffer and polls again. */
    private static final long TURN_WAIT_MILLIS = 2_000;
    /** Held by the one slot whose read waits on Redis. */
    private final java.util.concurrent.Semaphore reading = new java.util.concurrent.Semaphore(1);
    static final long STRANDED_AFTER_MILLIS = 5_000;

    /** An entry read from a stream (pending on this worker) and not yet settled. */
    record Delivery(String stream, StreamEntry entry) {}

    private record Unfinished(RunSnapshot terminal, String stream, String entryId, List<RunStore.Limit> limits,
                              dev.tether.engine.RunRequest retry, RedisCheckpointStore.Carried checkpoints) {}

    private final UnifiedJedis redis;
    /** What a run that ended here still had queued of its checkpoints, for the write of its end to carry. */
    private final java.util.function.Function<String, RedisCheckpointStore.Carried> endCheckpoints;
    private final RunStore store;
    private final Keys keys;
    private final String worker;
    private final List<String> queues;
    private final Set<String> graphs;
    private final BiPredicate<String, String> someoneElseRuns;
    private final java.util.function.Function<String, String> fenceReason;
    private final Connectivity connectivity;
    private final WorkerStalls stalls;
    /** Whether the worker may take jobs now: not while it is out of contact (its runs are held, others may settle it). */
    private final java.util.function.BooleanSupplier mayTake;
    /** Slot threads inside {@link #poll}, since when: a poll that never returns is a slot lost without a word. */
    private final Map<Thread, Long> polling = new ConcurrentHashMap<>();
    private final Set<String> pollsReported = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<Delivery> buffer = new ArrayDeque<>();
    /** Entry ids this worker holds at any stage (buffered, being accepted, running, ending): what recovery must not add again. */
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final Map<String, Unfinished> unfinished = new ConcurrentHashMap<>();
    /** Refused takes and failed ends, said once a minute per reason: a refusal lasts as long as Redis's cause, with calls every 250 ms. */
    private final dev.tether.logging.FailureSpell takesFailing = new dev.tether.logging.FailureSpell();
    private final dev.tether.logging.FailureSpell endsFailing = new dev.tether.logging.FailureSpell();
    private volatile boolean closed;

    /**
     * @param someoneElseRuns (queue, graph): whether another live worker on that queue has the graph
     * @param fenceReason     run id to the reason this worker stopped the run itself when cut off
     *                        (recorded as LOST, whatever the run's local end), or null
     */
    RedisRunSource(UnifiedJedis redis, RunStore store, String worker, List<String> queues, Set<String> graphs,
                   BiPredicate<String, String> someoneElseRuns, java.util.function.Function<String, String> fenceReason,
                   Connectivity connectivity, WorkerStalls stalls, java.util.function.BooleanSupplier mayTake,
                   java.util.function.Function<String, RedisCheckpointStore.Carried> endCheckpoints) {
        this.redis = redis;
        this.endCheckpoints = endCheckpoints;
        this.store = store;
        this.keys = store.keys();
        this.worker = worker;
        this.queues = List.copyOf(queues);
        this.graphs = Set.copyOf(graphs);
        this.someoneElseRuns = someoneElseRuns;
        this.fenceReason = fenceReason;
        this.connectivity = connectivity;
        this.stalls = stalls;
        this.mayTake = mayTake;
        stalls.condition("polls", this::longestPoll);
    }

    static final String TAKING = "taking jobs";
    static final String RECORDING_ENDS = "recording run ends";
    /** Longer than any poll with every deadline spent (read, pool wait, backoff): a slot waiting this long is lost. */
    static final long POLL_STALLED_NANOS = Duration.ofSeconds(30).toNanos();

    /** The slot waiting longest in one poll, if past {@link #POLL_STALLED_NANOS}; its stack is logged once. */
    private String longestPoll() {
        long now = System.nanoTime();
        Map.Entry<Thread, Long> oldest = null;
        for (var e : polling.entrySet()) if (oldest == null || e.getValue() < oldest.getValue()) oldest = e;
        if (oldest == null || now - oldest.getValue() < POLL_STALLED_NANOS) {
            pollsReported.clear();
            return null;
        }
        var thread = oldest.getKey();
        if (pollsReported.add(thread.getName() + "@" + oldest.getValue())) {
            var trace = new StringBuilder();
            for (var frame : thread.getStackTrace()) trace.append("\n\tat ").append(frame);
            LOG.warn("slot {} has waited {} in one poll for a job:{}", thread.getName(), WorkerStalls.seconds(now - oldest.getValue()), trace);
        }
        return "slot " + thread.getName() + " waiting in one poll for " + WorkerStalls.seconds(now - oldest.getValue());
    }

    /** Creates the consumer groups (idempotent; also after a Redis restart lost them). */
    void ensureGroups() {
        for (var q : queues) {
            try {
                redis.xgroupCreate(keys.queue(q), Keys.GROUP, new StreamEntryID(0, 0), true);
            } catch (JedisDataException e) {
                if (!String.valueOf(e.getMessage()).startsWith("BUSYGROUP")) throw e;
            }
            redis.sadd(keys.queues(), q);
        }
    }

    @Override
    public Job poll(Duration timeout) throws InterruptedException {
        var me = Thread.currentThread();
        polling.put(me, System.nanoTime());
        try {
            return take(timeout);
        } finally {
            polling.remove(me);
        }
    }

    private Job take(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!mayTake.getAsBoolean()) { // held out of contact: leave the jobs to workers that are in contact
            Thread.sleep(Math.max(1, timeout.toMillis()));
            return null;
        }
        while (!closed) {
            var delivery = next();
            if (delivery != null) {
                try {
                    var job = accept(delivery);
                    connectivity.up();
                    stalls.worked(TAKING);
                    if (job != null) return job;
                } catch (RuntimeException e) { // still pending here: try it again after a pause
                    putBack(delivery);
                    failed(e);
                }
            }
            if (System.nanoTime() >= deadline) return null;
        }
        return null;
    }

    /**
     * One slot at a time waits on Redis (a read blocked for {@value #READ_BLOCK_MILLIS} ms); the others
     * wait here for their turn, up to {@value #TURN_WAIT_MILLIS} ms, and {@link #close()} lets them go at
     * once. Idle, a worker then costs two reads a second, not four per slot; busy, the reader hands over
     * as soon as it has a job.
     */
    private Delivery next() throws InterruptedException {
        var ready = buffered();
        if (ready != null) return ready;
        // Closed while it waited its turn: nothing more is taken, not even from the buffer. What it holds goes back to its
        // queue for another worker (releaseBuffered), where a slot that took it now would only see it cancelled by the shutdown.
        if (!reading.tryAcquire(TURN_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            return closed ? null : buffered(); // the reader may have read for this slot too
        }
        try {
            if (!mayTake.getAsBoolean() || closed) return null; // out of contact, or closed, while it waited its turn (closed last: the latest word)
            ready = buffered(); // the reader before this one may have read for this slot too
            if (ready != null) return ready;
            // this slot and each slot waiting its turn: a busy worker takes several jobs in one round trip, and no more
            // than its waiting slots start at once (the rest stay on the queue, for any worker)
            int slots = 1 + reading.getQueueLength();
            // Redis counts per stream: over several queues, a share each (at least one, as ever)
            return read(Math.max(1, slots / queues.size()), READ_BLOCK_MILLIS);
        } finally {
            reading.release();
        }
    }

    private Delivery read(int count, long blockMillis) throws InterruptedException {
        var streams = new LinkedHashMap<String, StreamEntryID>();
        for (var q : queues) streams.put(keys.queue(q), StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY);
        List<Map.Entry<String, List<StreamEntry>>> read;
        try {
            read = redis.xreadGroup(Keys.GROUP, worker, XReadGroupParams.xReadGroupParams().count(count).block((int) blockMillis), streams);
            connectivity.up();
            stalls.worked(TAKING);
        } catch (JedisDataException e) {
            if (String.valueOf(e.getMessage()).startsWith("NOGROUP")) { // Redis lost its data: recreate and read again
                try {
                    ensureGroups();
                } catch (RuntimeException again) {
                    failed(again);
                }
                return null;
            }
            failed(e);
            return null;
        } catch (RuntimeException e) {
            failed(e);
            return null;
        }
        if (read == null || read.isEmpty()) return null;
        Delivery first = null;
        synchronized (buffer) {
            for (var stream : read) {
                for (var entry : stream.getValue()) {
                    var d = new Delivery(stream.getKey(), entry);
                    held.add(entry.getID().toString());
                    if (first == null) first = d;
                    else buffer.addLast(d); // pending on us now: keep it, never drop it
                }
            }
        }
        return first;
    }

    /** The oldest delivery read and not yet taken, or null. */
    private Delivery buffered() {
        synchronized (buffer) {
            return buffer.pollFirst();
        }
    }

    private void putBack(Delivery d) {
        synchronized (buffer) {
            buffer.addFirst(d);
        }
    }

    private void failed(RuntimeException e) throws InterruptedException {
        // Connectivity says lost contact, a refusal and writes the replicas did not confirm: said here again, each
        // spell would start with two lines for one cause. What it does not say (a failure of this side) is said here.
        connectivity.down(e);
        stalls.failed(TAKING, e);
        if (!Connectivity.saysItself(e) && takesFailing.failed(Text.oneLine(e.getMessage())).any()) {
            LOG.warn("taking a job failed ({}); retrying (said again once a minute while it lasts)", Text.oneLine(e.getMessage()));
        }
        Thread.sleep(connectivity.backoffMillis());
    }

    /** A job to run, or null when the entry was settled without running (skipped, dead-lettered, handed over). */
    private Job accept(Delivery d) throws InterruptedException {
        var f = d.entry().getFields();
        RunRequest request;
        try {
            request = Jobs.parse(f);
        } catch (RuntimeException e) {
            deadLetter(d, e.getMessage(), null); // no submit writes such an entry: whatever run it names is not its
            return null;
        }
        // The common case (a graph this worker has, no expiry, a job that never waited) leaves comparing the job with
        // its run's record to the claim, in the same step: one round trip and one record parse fewer per run.
        // Anything else acts on the run before the claim (hand-over, expiry), so it compares first.
        boolean claimChecks = graphs.contains(request.graphId()) && request.expiresAt() == null && !f.containsKey("waited")
                && d.stream().equals(keys.queue(request.queue()));
        if (!claimChecks && !matchesRecord(d, request)) return null;
        if (!graphs.contains(request.graphId())) {
            handOver(d, request);
            return null;
        }
        var expires = request.expiresAt();
        if (expires != null && !Instant.now().isBefore(expires)) { // never started: the claim below finds it ended
            store.updateQueued(request.runId(), new RunEvent.CancelRequested(request.runId(), Instant.now(),
                    request.expiry()));
        }
        // A run that waited at a concurrency limit has a newer QUEUED record (its reason): start from that.
        var queued = f.containsKey("waited") ? store.get(request.runId()).filter(r -> r.status() == dev.tether.run.RunStatus.QUEUED)
                .orElseGet(() -> RunStateMachine.apply(null, request.submitted())) : RunStateMachine.apply(null, request.submitted());
        var running = RunStateMachine.apply(queued, new RunEvent.Started(request.runId(), worker, Instant.now()));
        var entryId = d.entry().getID().toString();
        var limits = RunStore.Limit.of(request);
        var checked = store.claim(running, worker, entryId, limits, f, claimChecks);
        if (checked.outcome() == RunStore.Claim.Outcome.UNVERIFIED && !matchesRecord(d, request)) return null;
        var claim = checked.outcome() != RunStore.Claim.Outcome.UNVERIFIED ? checked // else a record an older Tether wrote, compared here
                : store.claim(running, worker, entryId, limits, f, false);
        switch (claim.outcome()) {
            case MISMATCH -> {
                deadLetter(d, mismatch(request), null);
                return null;
            }
            case UNVERIFIED -> throw new IllegalStateException("an unchecked claim answered 'unverified'");
            case STARTED -> {
                return job(d, request);
            }
            case TAKEN -> {
                if (worker.equals(claim.holder()) && entryId.equals(claim.entryId())) {
                    return job(d, request); // our own claim, whose reply was lost: it is ours to run
                }
                LOG.info("run {} is already running on '{}': duplicate delivery {} acknowledged", request.runId(),
                        Text.oneLine(claim.holder()), d.entry().getID());
            }
            case CANCEL -> store.updateQueued(request.runId(), new RunEvent.CancelRequested(request.runId(), Instant.now()));
            case TERMINAL -> { /* cancelled while queued, or settled: never starts */ }
            case GONE -> LOG.warn("run {} has no record in Redis (it lost its data, or the run ended long ago): entry {} dropped, "
                    + "the run not started", request.runId(), d.entry().getID());
            case WAIT -> { // its job is kept aside in order; the run says why it waits
                var reason = limits.stream().filter(l -> l.name().equals(claim.holder())).map(RunStore.Limit::reason).findFirst()
                        .orElse("waiting: " + claim.holder() + " at its limit of " + claim.entryId());
                store.updateQueued(request.runId(), new RunEvent.Waiting(request.runId(), reason, Instant.now()));
            }
        }
        ack(d);
        return null;
    }

    private Job job(Delivery d, RunRequest request) {
        var entryId = d.entry().getID().toString();
        return new Job() {
            @Override
            public RunRequest request() {
                return request;
            }

            @Override
            public void finished(RunSnapshot terminal) {
                // decided once, here: a retry of the end is the same retry, whenever it gets through
                var retry = dev.tether.engine.RetryPlan.next(terminal, Instant.now(),
                        java.util.concurrent.ThreadLocalRandom.current().nextDouble()).orElse(null);
                var u = new Unfinished(terminal, d.stream(), entryId, RunStore.Limit.of(request), retry, endCheckpoints.apply(terminal.runId()));
                if (!finish(u)) unfinished.put(terminal.runId(), u); // Redis away: retried until it gets through
            }
        };
    }

    private boolean finish(Unfinished u) {
        return recordEnd(u) == null;
    }

    /** @return null once the end is recorded, else what kept it from being recorded (it is kept to try again) */
    private RuntimeException recordEnd(Unfinished u) {
        try {
            var end = u.terminal();
            var fenced = fenceReason.apply(end.runId());
            if (fenced != null) store.update(end.runId(), new RunEvent.Lost(end.runId(), fenced, end.endedAt() != null ? end.endedAt() : Instant.now()));
            var outcome = store.finish(end, u.stream(), u.entryId(), worker, u.limits(), fenced == null ? u.retry() : null, u.checkpoints());
            if (outcome == RunStore.Put.STALE) { // Redis holds a newer version of a run that has not ended there
                var stored = store.get(end.runId()).orElse(null);
                if (stored != null && !stored.isTerminal()) store.rebaseEnd(end);
            } else if (outcome == RunStore.Put.ALREADY_TERMINAL && fenced == null) {
                store.get(end.runId()).filter(s -> s.status() != end.status()).ifPresent(s -> LOG.warn(
                        "run {} ended {} here, but Redis had already recorded it {} ({}); that stays",
                        end.runId(), end.status(), s.status(), s.error() == null ? "" : Text.oneLine(s.error().message())));
            }
            held.remove(u.entryId());
            var over = endsFailing.recovered();
            if (over != null) LOG.info("run ends are recorded again, after {} s and {} failed attempts", over.seconds(), over.failures());
            return null;
        } catch (RuntimeException e) {
            var refused = connectivity.down(e);
            stalls.failed(RECORDING_ENDS, e);
            var why = refused != null ? "Redis refuses: " + refused : Text.oneLine(e.getMessage());
            if (endsFailing.failed(why).any()) {
                LOG.warn("could not record the end of run {} yet ({}); will retry, as for every run whose end waits (said again once a minute "
                        + "while ends fail)", u.terminal().runId(), why);
            }
            return e;
        }
    }

    /**
     * Retries ends not yet recorded, until one fails for want of Redis or of its replicas: the others
     * would wait as long (up to the replicas' 1 s each), so they wait for the next pass instead, and a
     * pass (a maintenance tick, a shutdown) stays short however many ends are waiting.
     *
     * @return how many are still waiting
     */
    int retryUnfinished() {
        for (var u : List.copyOf(unfinished.values())) {
            var failure = recordEnd(u);
            if (failure == null) unfinished.remove(u.terminal().runId(), u);
            else if (failure instanceof RedisUnavailableException || Connectivity.lostContact(failure)) break;
        }
        if (unfinished.isEmpty()) stalls.worked(RECORDING_ENDS);
        return unfinished.size();
    }

    /** Jobs read but not started (shutdown): back on their queue for another worker. */
    int releaseBuffered() {
        int n = 0;
        while (true) {
            var d = buffered();
            if (d == null) return n;
            try {
                requeue(d, d.entry().getFields());
                n++;
            } catch (RuntimeException e) { // stays pending: the sweep requeues it once our heartbeat is gone
                LOG.warn("could not hand back entry {}: {}", d.entry().getID(), Text.oneLine(e.getMessage()));
            }
        }
    }

    private void requeue(Delivery d, Map<String, String> fields) {
        try (var pipe = redis.pipelined()) {
            pipe.xadd(d.stream(), XAddParams.xAddParams(), fields);
            pipe.xack(d.stream(), Keys.GROUP, d.entry().getID());
            pipe.sync();
        }
        held.remove(d.entry().getID().toString());
    }

    /**
     * Whether the entry is its run's own job, compared with the run's record (a run with no record passes: its
     * claim finds it gone). One that is not was written by someone other than the run's submit: it must
     * neither start the run with its own graph and input, nor fail it; it goes to the dead letters.
     */
    private boolean matchesRecord(Delivery d, RunRequest request) {
        var recorded = store.get(request.runId()).orElse(null);
        if (recorded == null || ownJob(recorded, request, d.stream())) return true;
        deadLetter(d, mismatch(request), null);
        return false;
    }

    private static String mismatch(RunRequest request) {
        return "entry does not match the record of run " + request.runId() + " (graph, queue, input or submit time)";
    }

    /** Whether {@code entry} is the job the run's own submit wrote: its stream, graph, queue, submit time and input. */
    private boolean ownJob(RunSnapshot run, RunRequest entry, String stream) {
        return stream.equals(keys.queue(run.queue())) && run.queue().equals(entry.queue()) && run.graphId().equals(entry.graphId())
                && run.submittedAt() != null && run.submittedAt().toEpochMilli() == entry.submittedAt().toEpochMilli()
                && dev.tether.json.Json.write(run.input()).equals(dev.tether.json.Json.write(entry.input()));
    }

    /** The second hand-over of a job waits this long (the first none), each next one twice as long, up to {@link #HANDOVER_MAX_MILLIS}. */
    static final long HANDOVER_FIRST_MILLIS = 100;
    static final long HANDOVER_MAX_MILLIS = 5_000;
    /** The entry field that counts a job's hand-overs. */
    static final String HANDOVERS = "handovers";

    /**
     * A job for a graph this worker lacks, when a live worker on the queue has it: back to the queue,
     * at once the first time, then after a delay that doubles with each hand-over (kept with the job
     * like a retry's, and moved back by the pump), so a job that no worker with its graph takes for a
     * while does not cycle through the stream, nor hold a slot of this worker while it waits.
     */
    private void handOver(Delivery d, RunRequest request) {
        var queue = d.stream().substring(keys.queue("").length());
        if (someoneElseRuns.test(queue, request.graphId())) {
            var fields = new LinkedHashMap<String, String>(d.entry().getFields());
            int n = handovers(fields);
            fields.put(HANDOVERS, Integer.toString(n + 1));
            if (n == 0) {
                requeue(d, fields);
                return;
            }
            long delay = Math.min(HANDOVER_FIRST_MILLIS << Math.min(n - 1, 16), HANDOVER_MAX_MILLIS);
            HomeNode.transaction(redis, keys.job(request.runId()), tx -> {
                tx.del(keys.job(request.runId()));
                tx.hset(keys.job(request.runId()), fields);
                tx.zadd(keys.due(queue), System.currentTimeMillis() + delay, request.runId());
                tx.xack(d.stream(), Keys.GROUP, d.entry().getID());
            });
            held.remove(d.entry().getID().toString());
            return;
        }
        var reason = "no live worker on queue '" + queue + "' has graph '" + request.graphId() + "'";
        deadLetter(d, reason, request);
    }

    static int handovers(Map<String, String> fields) {
        try {
            return Math.max(0, Integer.parseInt(fields.getOrDefault(HANDOVERS, "0")));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * @param own the entry as parsed when it is its run's own job (checked against the run's record
     *            again here); null for any other entry, whose run is never touched
     */
    private void deadLetter(Delivery d, String reason, RunRequest own) {
        var oneLine = Text.oneLine(reason);
        LOG.warn("dead-lettering entry {} of {}: {}", d.entry().getID(), d.stream(), oneLine);
        if (own != null) { // it will never execute: say so instead of leaving it QUEUED forever
            store.updateQueued(own.runId(), new RunEvent.Failed(own.runId(), new ErrorInfo("rejected", oneLine, ""), Instant.now()),
                    run -> ownJob(run, own, d.stream()));
        }
        var fields = new LinkedHashMap<String, String>(d.entry().getFields());
        fields.put("reason", oneLine);
        fields.put("stream", d.stream());
        fields.put("entry", d.entry().getID().toString());
        fields.put("worker", worker);
        try (var pipe = redis.pipelined()) {
            pipe.xadd(keys.deadLetters(), XAddParams.xAddParams().maxLen(DEAD_LETTERS_KEPT).approximateTrimming(), fields);
            pipe.xack(d.stream(), Keys.GROUP, d.entry().getID());
            pipe.sync();
        }
        held.remove(d.entry().getID().toString());
    }

    private void ack(Delivery d) {
        redis.xack(d.stream(), Keys.GROUP, d.entry().getID());
        held.remove(d.entry().getID().toString());
    }

    /**
     * Entries pending on this worker that it does not hold: delivered while the reply was lost (a
     * connection cut mid-read). Only those idle for a while are taken, so an entry a slot has just
     * read is never taken twice. Called every few seconds.
     *
     * @return how many were recovered
     */
    int recoverStranded() {
        int n = 0;
        for (var q : queues) {
            var stream = keys.queue(q);
            List<StreamPendingEntry> pending;
            try {
                pending = redis.xpending(stream, Keys.GROUP, XPendingParams.xPendingParams()
                        .idle(STRANDED_AFTER_MILLIS).count(100).consumer(worker));
            } catch (JedisDataException e) {
                continue; // no group (yet): nothing pending
            }
            for (var p : pending) {
                var id = p.getID();
                if (held.contains(id.toString())) continue;
                var entries = redis.xrange(stream, id, id, 1);
                if (entries.isEmpty()) { // gone from the stream: nothing to run
                    redis.xack(stream, Keys.GROUP, id);
                    continue;
                }
                synchronized (buffer) {
                    if (!held.add(id.toString())) continue;
                    buffer.addLast(new Delivery(stream, entries.getFirst()));
                }
                n++;
            }
        }
        if (n > 0) LOG.warn("recovered {} jobs delivered to this worker whose delivery it never saw", n);
        return n;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        reading.release(1_000); // slots waiting for their turn to read go now, and find it closed
    }
}
