package dev.tether.redis;

import dev.tether.json.Json;
import dev.tether.run.CancelOutcome;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Run state in Redis. Snapshots are made by the one state machine in whichever process applied the
 * event; Redis keeps the newest by version, and a terminal snapshot is final there too. Every write
 * is a script (see the {@code .lua} resources), so each check-and-write is atomic.
 */
final class RunStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunStore.class);

    /** Outcome of a write: accepted, older than what is stored, or refused because the stored run already ended. */
    enum Put { ACCEPTED, STALE, ALREADY_TERMINAL }

    /** What a claim found. For a {@link Claim.Outcome#TAKEN} run: the worker it runs on and the stream entry it came from. */
    record Claim(Outcome outcome, String holder, String entryId) {
        enum Outcome {
            /** the run is now RUNNING on this worker */
            STARTED,
            /** it already ended (cancelled while queued, lost, ...): never start it */
            TERMINAL,
            /** a cancel awaits it: never start it */
            CANCEL,
            /** already started (a duplicate delivery): never start it twice */
            TAKEN,
            /** a concurrency limit has no room (or an older run waits there): it waits, its job kept aside */
            WAIT,
            /** no record (Redis lost its data, or the run ended and expired): never start it, nor create one */
            GONE,
            /** the job is not the run's own (its fields differ from what the run's submit recorded): nothing was touched */
            MISMATCH,
            /** the record has no fingerprint (an older Tether wrote it): compare the job with the record, then claim unchecked */
            UNVERIFIED
        }
    }

    /**
     * A concurrency limit a run is under: {@code graph:ID} or {@code queue:NAME}, and its size.
     *
     * @param reason what a run waiting at it is told
     */
    record Limit(String name, int max, String reason) {
        /** The limits of a run's policy (none without one). */
        static List<Limit> of(dev.tether.engine.RunRequest r) {
            var p = r.policy();
            if (p == null) return List.of();
            var out = new ArrayList<Limit>(2);
            if (p.maxConcurrent() != null) {
                out.add(new Limit("graph:" + r.graphId(), p.maxConcurrent(), "waiting: graph " + r.graphId() + " at its limit of " + p.maxConcurrent()));
            }
            if (p.queueMaxConcurrent() != null) {
                out.add(new Limit("queue:" + r.queue(), p.queueMaxConcurrent(), "waiting: queue " + r.queue() + " at its limit of " + p.queueMaxConcurrent()));
            }
            return out;
        }

        static List<Limit> of(RunSnapshot s) {
            return of(new dev.tether.engine.RunRequest(s.runId(), s.graphId(), s.queue(), Map.of(), s.submittedAt(), null, s.policy(), null));
        }
    }

    private final UnifiedJedis redis;
    private final ReplicaTarget replicas;
    private final Keys keys;
    private final Duration finishedTtl;
    private final int finishedKept;

    /**
     * The newest state of each started run this store wrote and Redis accepted (a worker's own runs): the
     * base of the run's next change, so that observers get what changed, not the whole run again.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, RunSnapshot> written = new java.util.concurrent.ConcurrentHashMap<>();

    RunStore(UnifiedJedis redis, Keys keys, Duration finishedTtl, int finishedKept) {
        this(redis, keys, finishedTtl, finishedKept, ReplicaTarget.fixed(0));
    }

    /** @param replicas how many replicas a submit, a claim and a run's end must reach before they count ({@link RedisSettings#replicaTarget()}) */
    RunStore(UnifiedJedis redis, Keys keys, Duration finishedTtl, int finishedKept, ReplicaTarget replicas) {
        this.redis = redis;
        this.keys = keys;
        this.finishedTtl = finishedTtl;
        this.finishedKept = finishedKept;
        this.replicas = replicas;
    }

    Keys keys() {
        return keys;
    }

    Duration finishedTtl() {
        return finishedTtl;
    }

    int finishedKept() {
        return finishedKept;
    }

    Put put(RunSnapshot s) {
        return remember(s, outcome(Script.WRITE.eval(redis, writeKeys(s.runId()), writeArgsWithChange(s))));
    }

    /** Many snapshots in one round trip; outcomes in the same order. */
    List<Put> putAll(List<RunSnapshot> batch) {
        if (batch.size() == 1) return List.of(put(batch.getFirst()));
        var responses = new ArrayList<Response<Object>>(batch.size());
        try (var pipe = redis.pipelined()) {
            for (var s : batch) responses.add(pipe.evalsha(Script.WRITE.sha(), writeKeys(s.runId()), writeArgsWithChange(s)));
            pipe.sync();
        }
        var out = new ArrayList<Put>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Object r;
            try {
                r = responses.get(i).get();
            } catch (JedisNoScriptException e) { // that one did not run: run it again after loading the script
                r = Script.WRITE.eval(redis, writeKeys(batch.get(i).runId()), writeArgsWithChange(batch.get(i)));
            }
            out.add(remember(batch.get(i), outcome(r)));
        }
        return out;
    }

    /**
     * A new run: its QUEUED state and its job on the queue's stream, atomically. Safe to retry: a
     * run whose record exists is not queued again.
     *
     * @return false when the run was already submitted (a retry after a lost reply)
     */
    boolean submit(RunSnapshot queued, String stream, Map<String, String> job) {
        var keys = new ArrayList<>(runKeys(queued.runId()));
        keys.add(stream);
        keys.add(this.keys.ids());
        var args = new ArrayList<>(writeArgs(queued));
        job.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        long r = (Long) Script.SUBMIT.evalReplicated(redis, keys, args, replicas);
        if (r == -2L) throw new IllegalArgumentException("Redis refused run " + queued.shortId() + ": not a new QUEUED record");
        return r == 1L;
    }

    /** Starts a run on {@code worker} if, and only if, it is still QUEUED with no cancel record (one atomic step). */
    Claim claim(RunSnapshot running, String worker, String entryId) {
        return claim(running, worker, entryId, List.of(), Map.of(), false);
    }

    /**
     * As {@link #claim(RunSnapshot, String, String)}, under concurrency {@code limits}: the run starts
     * only if each has room and no older run waits there (then it takes a place at each, tied to this
     * worker's listing); otherwise it waits ({@link Claim.Outcome#WAIT}, the holder naming the limit)
     * and its {@code job} is kept aside until a place is free.
     *
     * @param check compare {@code job} with the fingerprint the run's submit recorded, in the same step
     *              ({@link Claim.Outcome#MISMATCH}, {@link Claim.Outcome#UNVERIFIED}); false when the caller
     *              compared it with the record itself
     */
    Claim claim(RunSnapshot running, String worker, String entryId, List<Limit> limits, Map<String, String> job, boolean check) {
        var keys = new ArrayList<>(runKeys(running.runId()));
        keys.add(this.keys.cancel(running.runId()));
        keys.add(this.keys.workerRuns(worker));
        keys.add(this.keys.workers());
        keys.add(this.keys.ids());
        var args = new ArrayList<>(writeArgs(running));
        args.add(entryId);
        args.add(this.keys.prefix());
        args.add(Long.toString(System.currentTimeMillis()));
        args.add(Long.toString(running.submittedAt().toEpochMilli()));
        args.add(check ? "1" : "0");
        args.add(Integer.toString(limits.size()));
        for (var l : limits) {
            args.add(l.name());
            args.add(Integer.toString(l.max()));
        }
        job.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        @SuppressWarnings("unchecked")
        var reply = (List<Object>) Script.CLAIM.evalReplicated(redis, keys, args, replicas);
        var outcome = switch (String.valueOf(reply.get(0))) {
            case "started" -> Claim.Outcome.STARTED;
            case "terminal" -> Claim.Outcome.TERMINAL;
            case "cancel" -> Claim.Outcome.CANCEL;
            case "wait" -> Claim.Outcome.WAIT;
            case "gone" -> Claim.Outcome.GONE;
            case "mismatch" -> Claim.Outcome.MISMATCH;
            case "unverified" -> Claim.Outcome.UNVERIFIED;
            default -> Claim.Outcome.TAKEN;
        };
        if (outcome == Claim.Outcome.STARTED) written.put(running.runId(), running);
        return new Claim(outcome, String.valueOf(reply.get(1)), String.valueOf(reply.get(2)));
    }

    /**
     * The run's terminal state, then its job acknowledged and removed from the worker's set, atomically;
     * a completed (or rolled-back) run's checkpoints are deleted in the same step. It counts once the
     * replicas asked for hold it ({@link NotReplicatedException} otherwise: the worker tries again): a
     * worker forgets an end once recorded, so an end a failover lost was left to the recovery of
     * stranded jobs, with the run shown RUNNING on the promoted replica meanwhile.
     */
    Put finish(RunSnapshot terminal, String stream, String entryId, String worker) {
        return finish(terminal, stream, entryId, worker, List.of(), null, RedisCheckpointStore.Carried.NONE);
    }

    /**
     * As {@link #finish(RunSnapshot, String, String, String)}, freeing the run's places under
     * {@code limits} (the oldest run waiting at each may go) and scheduling {@code retry} (null: none)
     * in the same step: its QUEUED record now, its job onto its queue once it falls due. The checkpoints
     * the run still had queued ({@code carried}) are appended in the same step.
     */
    Put finish(RunSnapshot terminal, String stream, String entryId, String worker, List<Limit> limits,
               dev.tether.engine.RunRequest retry, RedisCheckpointStore.Carried carried) {
        var keys = new ArrayList<>(runKeys(terminal.runId()));
        keys.add(stream);
        keys.add(this.keys.workerRuns(worker));
        keys.add(this.keys.rollback(terminal.runId()));
        keys.add(this.keys.checkpoints(terminal.runId()));
        keys.add(this.keys.checkpointBytes(terminal.runId()));
        keys.add(this.keys.workers());
        keys.add(this.keys.ids());
        var args = new ArrayList<>(writeArgs(terminal));
        args.add(Keys.GROUP);
        args.add(entryId == null ? "" : entryId);
        args.add(terminal.status() == dev.tether.run.RunStatus.COMPLETED ? "1" : "0");
        args.add(this.keys.prefix());
        args.add(Long.toString(System.currentTimeMillis()));
        args.add(Integer.toString(limits.size()));
        for (var l : limits) args.add(l.name());
        args.addAll(changeArgs(written.get(terminal.runId()), terminal));
        args.add(Integer.toString(carried.entries().size()));
        args.add(Integer.toString(carried.perRun()));
        args.add(Long.toString(carried.bytesPerRun()));
        args.addAll(carried.entries());
        if (retry != null) args.addAll(retryArgs(retry));
        var put = outcome(Script.FINISH.evalReplicated(redis, keys, args, replicas));
        written.remove(terminal.runId());
        return put;
    }

    /** A retry as the scripts schedule it: its QUEUED record's 8 write arguments, due (ms), queue, job fields. */
    List<String> retryArgs(dev.tether.engine.RunRequest retry) {
        var out = new ArrayList<>(writeArgs(RunStateMachine.apply(null, retry.submitted())));
        out.add(Long.toString(retry.due().toEpochMilli()));
        out.add(retry.queue());
        Jobs.fields(retry).forEach((k, v) -> {
            out.add(k);
            out.add(v);
        });
        return out;
    }

    /**
     * Moves the retries of {@code queues} that fell due onto their streams, and lets the oldest run
     * waiting at each concurrency limit with room go; safe from any number of workers at once.
     *
     * @return how many jobs it sent
     */
    long pump(Collection<String> queues) {
        var args = new ArrayList<String>();
        args.add(keys.prefix());
        args.add(Long.toString(System.currentTimeMillis()));
        args.add("100");
        args.addAll(queues);
        return (Long) Script.PUMP.eval(redis, List.of(keys.workers()), args);
    }

    /** Takes this worker's places again for its running runs (after Redis lost them, or the worker was out of contact). */
    void holdPlaces(List<RunSnapshot> running, String worker) {
        try (var pipe = redis.pipelined()) {
            for (var run : running) for (var l : Limit.of(run)) pipe.hset(keys.lease(l.name()), run.runId(), worker);
            pipe.sync();
        }
    }

    /**
     * Read-apply-write of one run: the stored snapshot, the event applied by the state machine, the
     * result written only if nobody wrote in between (else read again). The one place that changes a
     * run in Redis from outside its worker.
     *
     * @return the snapshot written, or empty when the run is unknown, unreadable, or the event does not apply
     */
    Optional<RunSnapshot> update(String runId, RunEvent event) {
        return update(runId, event, s -> true);
    }

    /**
     * {@link #update(String, RunEvent)} of a run that has not started. Only a run's worker writes the
     * states of a started run (else versions would fork); others may change a QUEUED one.
     */
    Optional<RunSnapshot> updateQueued(String runId, RunEvent event) {
        return update(runId, event, s -> s.status() == dev.tether.run.RunStatus.QUEUED);
    }

    /** What a cancel request found and did: its outcome, and the run as it now stands (null when Redis has no record of it). */
    record Stop(CancelOutcome outcome, RunSnapshot run) {}

    /**
     * A cancel request. The common case is one round trip ({@link CancelRequests#requestIfStarted}): a
     * started run with no cancel record gets its record and the publish in the step that reads it.
     * Otherwise that step read the run and its cancel record, and a second one sets the record (never
     * weaker than the one read) and publishes it, and for a QUEUED run writes its state CANCELLED in the
     * same round trip, unless anybody wrote the run since it was read. The record goes first: a worker's
     * claim that comes between the two sees it and starts nothing. Nothing is written for a run Redis
     * has no record of ({@link CancelOutcome#UNKNOWN_RUN}) or one already ended.
     *
     * <p>A user who may not write a run's state (the submitter role) gets the record without expiry
     * instead: the worker that takes the run writes it CANCELLED rather than starting it.
     */
    Stop cancel(String runId, dev.tether.run.CancelRequest request, CancelRequests records) {
        var found = records.requestIfStarted(runId, new CancelRequests.Ask(request), keys.run(runId));
        if (found == null) found = read(runId); // rules from before the script: two round trips
        var run = parse(runId, found.runJson());
        if (found.requested()) {
            return new Stop(run != null && run.status() == dev.tether.run.RunStatus.CANCELLING ? CancelOutcome.ALREADY_CANCELLING
                    : CancelOutcome.CANCELLING, run);
        }
        if (run == null) return new Stop(CancelOutcome.UNKNOWN_RUN, null);
        if (run.isTerminal()) return new Stop(CancelOutcome.ALREADY_FINISHED, run);
        var ask = CancelRequests.strongest(found.recorded(), request);
        var event = new RunEvent.CancelRequested(runId, java.time.Instant.now(), request);
        var next = run.status() == dev.tether.run.RunStatus.QUEUED ? RunStateMachine.apply(run, event) : null;
        if (next == null) {
            records.record(runId, ask, false, null);
            return new Stop(run.status() == dev.tether.run.RunStatus.CANCELLING ? CancelOutcome.ALREADY_CANCELLING
                    : CancelOutcome.CANCELLING, run);
        }
        var written = records.record(runId, ask, false, pipe -> pipe.evalsha(Script.UPDATE.sha(), writeKeys(runId), updateArgs(run, next)));
        long r;
        try {
            r = (Long) written.get();
        } catch (redis.clients.jedis.exceptions.JedisAccessControlException submitterRole) {
            records.record(runId, ask, true, null);
            return new Stop(CancelOutcome.CANCELLING, run);
        } catch (JedisNoScriptException flushed) {
            r = 0; // the script cache was flushed: the update below loads it again
        }
        if (r == 1L) return new Stop(CancelOutcome.CANCELLED_BEFORE_START, next);
        if (r == 0L) { // somebody wrote the run since it was read: apply the cancel to what is there now, if still queued
            var again = updateQueued(runId, event);
            if (again.isPresent()) return new Stop(CancelOutcome.CANCELLED_BEFORE_START, again.get());
        }
        var now = get(runId).orElse(run); // a worker claimed it meanwhile (or it ended)
        return new Stop(now.isTerminal() ? CancelOutcome.ALREADY_FINISHED : CancelOutcome.CANCELLING, now);
    }

    /** A run's record and its cancel record, read together; nothing written. */
    private CancelRequests.Found read(String runId) {
        try (var pipe = redis.pipelined()) {
            var json = pipe.hget(keys.run(runId), "j");
            var recorded = pipe.get(keys.cancel(runId));
            pipe.sync();
            return new CancelRequests.Found(false, json.get(), recorded.get());
        }
    }

    /** {@link #updateQueued} only while the stored run also passes {@code onlyIf} (checked against the version written over). */
    Optional<RunSnapshot> updateQueued(String runId, RunEvent event, java.util.function.Predicate<RunSnapshot> onlyIf) {
        return update(runId, event, s -> s.status() == dev.tether.run.RunStatus.QUEUED && onlyIf.test(s));
    }

    private Optional<RunSnapshot> update(String runId, RunEvent event, java.util.function.Predicate<RunSnapshot> onlyIf) {
        for (int attempt = 0; attempt < 50; attempt++) {
            var current = get(runId).orElse(null);
            if (current == null || !onlyIf.test(current)) return Optional.empty();
            var next = RunStateMachine.apply(current, event);
            if (next == null) return Optional.empty();
            long r = (Long) Script.UPDATE.eval(redis, writeKeys(runId), updateArgs(current, next));
            if (r == 1L) return Optional.of(next);
            if (r < 0) return Optional.empty(); // ended meanwhile (-1), or held by a worker other than the one it names (-3)
            // 0: someone wrote in between; read again
        }
        throw new IllegalStateException("run " + runId + " kept changing while being updated");
    }

    /**
     * Brings a run's end, as its worker saw it, onto the state Redis holds when the worker's own
     * numbering fell behind (the run was cancelled on the worker before its engine had started it,
     * while the claim had already written it RUNNING): the same ending, applied by the state machine to
     * the stored snapshot. Only the run's worker calls this.
     *
     * @return the stored snapshot afterwards (terminal unless the run is unknown or unreadable)
     */
    Optional<RunSnapshot> rebaseEnd(RunSnapshot end) {
        var id = end.runId();
        var at = end.endedAt() != null ? end.endedAt() : java.time.Instant.now();
        var cancelAt = end.cancelRequestedAt() != null ? end.cancelRequestedAt() : at;
        List<RunEvent> events = switch (end.status()) {
            case CANCELLED -> List.of(asked(end, cancelAt), new RunEvent.Cancelled(id, end.cancelledAtNode(), at, end.forced()));
            case STUCK -> List.of(asked(end, cancelAt), new RunEvent.Stuck(id, end.currentNode(), at));
            case COMPLETED -> List.of(new RunEvent.Completed(id, at));
            case FAILED -> List.of(new RunEvent.Failed(id, end.error(), at));
            case LOST -> List.of(new RunEvent.Lost(id, end.error() == null ? "lost" : end.error().message(), at));
            default -> List.of();
        };
        for (var event : events) update(id, event);
        return get(id);
    }

    /** The cancel request of {@code end} with its stop level and asker, so the rebased record still says them. */
    private static RunEvent.CancelRequested asked(RunSnapshot end, java.time.Instant at) {
        return new RunEvent.CancelRequested(end.runId(), at, end.stopLevel(), end.cancelOrigin(), end.cancelReason());
    }

    List<String> runKeys(String runId) {
        return List.of(keys.run(runId), keys.active(), keys.finished(), keys.events());
    }

    /** The keys of write.lua and update.lua: the run's, then the run ids index. */
    private List<String> writeKeys(String runId) {
        return List.of(keys.run(runId), keys.active(), keys.finished(), keys.events(), keys.ids());
    }

    /** update.lua's arguments: {@code next} is written only while {@code read}'s version is still the stored one. */
    private List<String> updateArgs(RunSnapshot read, RunSnapshot next) {
        var args = new ArrayList<String>();
        args.add(Long.toString(read.version()));
        args.addAll(writeArgs(next));
        args.add(changeArgs(read, next).get(1));
        return args;
    }

    /** write.lua's arguments: the snapshot, and the change from what this store last wrote of the run, if it knows. */
    private List<String> writeArgsWithChange(RunSnapshot s) {
        var args = new ArrayList<>(writeArgs(s));
        args.addAll(changeArgs(written.get(s.runId()), s));
        return args;
    }

    /**
     * The base version and the change from it ({@link RunChange}), or two empty strings. Any base is safe:
     * the script publishes the change only if the stored version is that base.
     */
    private static List<String> changeArgs(RunSnapshot base, RunSnapshot next) {
        if (base == null || base.version() >= next.version() || !base.runId().equals(next.runId())) return List.of("", "");
        return List.of(Long.toString(base.version()), RunChange.between(base, next));
    }

    /** Keeps an accepted state as the base of the run's next change; forgets the run on anything else. */
    private Put remember(RunSnapshot s, Put outcome) {
        if (outcome == Put.ACCEPTED && !s.isTerminal()) written.merge(s.runId(), s, (a, b) -> a.version() >= b.version() ? a : b);
        else written.remove(s.runId());
        return outcome;
    }

    List<String> writeArgs(RunSnapshot s) {
        return List.of(Long.toString(s.version()), s.isTerminal() ? "1" : "0", Json.write(s), s.runId(),
                Long.toString(s.endedAt() == null ? System.currentTimeMillis() : s.endedAt().toEpochMilli()),
                Long.toString(finishedTtl.toMillis()), Integer.toString(finishedKept), s.worker() == null ? "" : s.worker());
    }

    static Put outcome(Object r) {
        long code = (Long) r;
        return code == 1 ? Put.ACCEPTED : code == 0 ? Put.STALE : Put.ALREADY_TERMINAL;
    }

    /** The stored snapshot; a record that cannot be read counts as absent (and is reported once per read). */
    Optional<RunSnapshot> get(String runId) {
        return Optional.ofNullable(parse(runId, redis.hget(keys.run(runId), "j")));
    }

    List<RunSnapshot> active() {
        return load(new ArrayList<>(redis.smembers(keys.active())));
    }

    /** The ids in the active set. */
    java.util.Set<String> activeIds() {
        return redis.smembers(keys.active());
    }

    /** Runs read per round trip by {@link #loadEach}. */
    static final int LOAD_BATCH = 1_000;

    /**
     * Hands each of these runs to {@code each}, {@value #LOAD_BATCH} a round trip, skipping absent and
     * unreadable records: a view that loads 100,000 runs never holds more than a batch of replies and
     * parsed copies besides what it keeps (in one round trip, the load's garbage grew a view's heap to
     * several times what it kept).
     */
    void loadEach(List<String> ids, java.util.function.Consumer<RunSnapshot> each) {
        for (int from = 0; from < ids.size(); from += LOAD_BATCH) {
            load(ids.subList(from, Math.min(ids.size(), from + LOAD_BATCH))).forEach(each);
        }
    }

    /**
     * A page of the active runs from the live index (put.lua's {@code live()}), in id order: O(page) round
     * trips and records read, however many runs Redis holds. The index is scanned by the most selective
     * filter it has (worker, graph, queue, one status, else every run with its descriptor, which filters
     * without reading records); each candidate's record is then read and checked against the whole query,
     * so an entry whose run has just ended or vanished is skipped. When the filters skip very many entries,
     * the page stops early (fewer runs than the limit, and a {@code next} to go on from), so one call's work
     * stays bounded.
     */
    dev.tether.run.ActivePage activePage(dev.tether.run.ActiveQuery q) {
        var scan = LiveScan.of(q);
        var from = q.after() == null ? "[" + scan.prefix() : "(" + scan.prefix() + q.after() + (scan.whole() ? ":" + LiveScan.AFTER_ASCII : "");
        var to = "[" + scan.prefix() + LiveScan.AFTER_ASCII;
        var out = new ArrayList<RunSnapshot>(Math.min(q.limit(), 1_024) + 1);
        long budget = 20L * (q.limit() + 1) + 2_000; // index entries looked at before a page stops early
        String lastSeen = null;
        while (out.size() <= q.limit() && budget > 0) {
            int batch = (int) Math.min(budget, Math.min(1_000, Math.max(64, 2L * (q.limit() + 1 - out.size()))));
            var members = redis.zrangeByLex(keys.live(), from, to, 0, batch);
            budget -= members.size();
            var ids = new ArrayList<String>(members.size());
            for (var m : members) {
                var id = scan.candidate(m, q);
                if (id != null) ids.add(id);
            }
            // Records are read only as many at a time as the page still needs (one beyond the limit says
            // whether there is a next page): a page costs the same commands however many runs are active.
            for (int at = 0; at < ids.size() && out.size() <= q.limit(); ) {
                var chunk = ids.subList(at, Math.min(ids.size(), at + q.limit() + 1 - out.size()));
                at += chunk.size();
                for (var run : load(chunk)) if (q.matches(run)) out.add(run);
            }
            if (members.size() < batch) return finish(out, q.limit(), null); // the index has no more
            var last = members.getLast();
            lastSeen = scan.idOf(last);
            from = "(" + last;
        }
        return finish(out, q.limit(), lastSeen);
    }

    /** The page: at most {@code limit} runs; the one beyond (if found) says there is a next page. */
    private static dev.tether.run.ActivePage finish(List<RunSnapshot> found, int limit, String stoppedAt) {
        if (found.size() > limit) return new dev.tether.run.ActivePage(found.subList(0, limit), found.get(limit - 1).runId());
        // Stopped early (the budget): the next page goes on after the last entry looked at.
        return new dev.tether.run.ActivePage(found, stoppedAt);
    }

    List<RunSnapshot> finished(int limit) {
        return load(redis.zrevrange(keys.finished(), 0, limit - 1L));
    }

    /**
     * A page of the finished runs Redis still holds, newest first, from the finished index (scored by
     * end time; equal scores in descending id order, as in the embedded store). Members whose record
     * has expired are pruned from the index on the way; an unreadable record is a stand-in that says so.
     */
    dev.tether.history.HistoryPage history(dev.tether.history.HistoryQuery q) {
        var cursor = q.cursor();
        long top = Long.MAX_VALUE;
        if (q.until() != null) top = q.until().toEpochMilli() - 1;
        if (cursor != null) top = Math.min(top, cursor.millis());
        var max = top == Long.MAX_VALUE ? "+inf" : Long.toString(top);
        var min = q.since() == null ? "-inf" : Long.toString(q.since().toEpochMilli());
        int chunk = Math.max(200, 2 * q.limit());
        var out = new ArrayList<RunSnapshot>();
        var expired = new ArrayList<String>();
        int offset = 0;
        while (out.size() <= q.limit()) {
            var entries = redis.zrevrangeByScoreWithScores(keys.finished(), max, min, offset, chunk);
            if (entries.isEmpty()) break;
            offset += entries.size();
            var ids = new ArrayList<String>(entries.size());
            var scores = new ArrayList<Long>(entries.size());
            for (var t : entries) {
                long score = (long) t.getScore();
                if (cursor != null && !cursor.isBefore(score, t.getElement())) continue;
                ids.add(t.getElement());
                scores.add(score);
            }
            var responses = new ArrayList<Response<String>>(ids.size());
            try (var pipe = redis.pipelined()) {
                for (var id : ids) responses.add(pipe.hget(keys.run(id), "j"));
                pipe.sync();
            }
            for (int i = 0; i < ids.size() && out.size() <= q.limit(); i++) {
                var id = ids.get(i);
                var json = responses.get(i).get();
                var at = java.time.Instant.ofEpochMilli(scores.get(i));
                if (json == null) {
                    expired.add(id);
                    continue;
                }
                var run = parse(id, json);
                if (run == null) { // logged by parse
                    if (q.graph() == null && q.statuses().isEmpty()) {
                        out.add(dev.tether.history.UnreadableRecord.standIn(id, null, null, at, "not a run snapshot"));
                    }
                    continue;
                }
                if (q.matches(run.graphId(), run.status(), at) && q.matchesOrigin(run.cancelOrigin())) out.add(run);
            }
            if (entries.size() < chunk) break;
        }
        if (!expired.isEmpty()) {
            try {
                redis.zrem(keys.finished(), expired.toArray(String[]::new));
            } catch (redis.clients.jedis.exceptions.JedisAccessControlException readOnly) {
                // an observer's user may not: the next reader with the right (a worker) removes them
            }
        }
        if (out.size() <= q.limit()) return new dev.tether.history.HistoryPage(out, null);
        var page = out.subList(0, q.limit());
        var last = page.getLast();
        long lastScore = last.endedAt() != null ? last.endedAt().toEpochMilli() : dev.tether.history.HistoryCursor.sortInstant(last).toEpochMilli();
        return new dev.tether.history.HistoryPage(page, new dev.tether.history.HistoryCursor(lastScore, last.runId()).toString());
    }

    /** Snapshots of these runs, in order, skipping absent and unreadable records. */
    List<RunSnapshot> load(List<String> ids) {
        return load(redis, keys, ids);
    }

    /** As {@link #load(List)}, for a reader that keeps no store (the admin step's backfill). */
    static List<RunSnapshot> load(UnifiedJedis redis, Keys keys, List<String> ids) {
        var out = new ArrayList<RunSnapshot>(ids.size());
        if (ids.isEmpty()) return out;
        var responses = new ArrayList<Response<String>>(ids.size());
        try (var pipe = redis.pipelined()) {
            for (var id : ids) responses.add(pipe.hget(keys.run(id), "j"));
            pipe.sync();
        }
        for (int i = 0; i < ids.size(); i++) {
            var s = parse(ids.get(i), responses.get(i).get());
            if (s != null) out.add(s);
        }
        return out;
    }

    /** Active runs looked at per {@link #quarantineUnreadable()} call (about: SSCAN's COUNT is a hint). */
    static final int QUARANTINE_BATCH = 200;
    /** Where the next {@link #quarantineUnreadable()} goes on in the active set ("0": from its start). */
    private String quarantineCursor = ScanParams.SCAN_POINTER_START;

    /**
     * Moves active-set members whose record cannot be read (not JSON, not a snapshot, another run's)
     * out of the active set, into the dead-letter stream with the reason, so they stop being skipped
     * by every reader forever. The record itself is left to expire in a day. Each call looks at the next
     * {@value #QUARANTINE_BATCH} or so active runs, round and round: bounded work for a participant's
     * maintenance however many runs are parked (a whole pass each call had an idle worker read every
     * active record every 5 s).
     *
     * @return how many were quarantined
     */
    int quarantineUnreadable() {
        var page = redis.sscan(keys.active(), quarantineCursor, new ScanParams().count(QUARANTINE_BATCH));
        quarantineCursor = page.getCursor();
        var ids = new ArrayList<>(new java.util.LinkedHashSet<>(page.getResult())); // SSCAN may return a member twice
        if (ids.isEmpty()) return 0;
        var responses = new ArrayList<Response<String>>(ids.size());
        try (var pipe = redis.pipelined()) {
            for (var id : ids) responses.add(pipe.hget(keys.run(id), "j"));
            pipe.sync();
        }
        int n = 0;
        for (int i = 0; i < ids.size(); i++) {
            var id = ids.get(i);
            var json = responses.get(i).get();
            if (json != null && parseQuietly(id, json) != null) continue;
            if (json == null && redis.exists(keys.run(id))) json = String.valueOf(redis.hgetAll(keys.run(id)));
            var fields = new java.util.LinkedHashMap<String, String>();
            fields.put("reason", json == null ? "active run without a record" : "unreadable run record");
            fields.put("run", Text.oneLine(id));
            fields.put("record", json == null ? "" : json.length() > 10_000 ? json.substring(0, 10_000) : json);
            try (var pipe = redis.pipelined()) {
                pipe.xadd(keys.deadLetters(), XAddParams.xAddParams().maxLen(RedisRunSource.DEAD_LETTERS_KEPT)
                        .approximateTrimming(), fields);
                pipe.srem(keys.active(), id);
                pipe.pexpire(keys.run(id), finishedTtl.toMillis());
                pipe.sync();
            }
            LOG.warn("quarantined the unreadable record of run {} (moved to the dead-letter stream)", Text.oneLine(id));
            n++;
        }
        return n;
    }

    private static RunSnapshot parseQuietly(String runId, String json) {
        try {
            var s = Json.read(json, RunSnapshot.class);
            return s.runId() != null && s.status() != null && s.version() >= 1 && s.runId().equals(runId) ? s : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Each run's stored version: only the {@code v} field (HMGET, pipelined), not the record; null where
     * the run has no record, 0 where it has one without a readable version (the quarantine's to judge,
     * not this check's). A second round trip asks which of the runs without a version exist at all:
     * usually none.
     */
    List<Long> versions(List<String> ids) {
        if (ids.isEmpty()) return List.of();
        var responses = new ArrayList<Response<List<String>>>(ids.size());
        try (var pipe = redis.pipelined()) {
            for (var id : ids) responses.add(pipe.hmget(keys.run(id), "v"));
            pipe.sync();
        }
        var out = new ArrayList<Long>(ids.size());
        var unversioned = new ArrayList<Integer>();
        for (int i = 0; i < ids.size(); i++) {
            var v = responses.get(i).get().getFirst();
            Long version = null;
            if (v == null) unversioned.add(i);
            else {
                try {
                    version = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    version = 0L;
                }
            }
            out.add(version);
        }
        if (!unversioned.isEmpty()) {
            var exists = Exists.each(redis, unversioned.stream().map(i -> keys.run(ids.get(i))).toList());
            for (int j = 0; j < unversioned.size(); j++) if (exists.get(j)) out.set(unversioned.get(j), 0L);
        }
        return out;
    }

    /** A published snapshot; throws IllegalArgumentException when it is not a complete one. */
    static RunSnapshot parseEvent(String json) {
        var s = Json.read(json, RunSnapshot.class);
        if (s.runId() == null || s.status() == null || s.version() < 1) throw new IllegalArgumentException("not a run snapshot");
        return s;
    }

    /** A stored snapshot, or null when absent or unreadable: one bad record must never break a reader. */
    static RunSnapshot parse(String runId, String json) {
        if (json == null) return null;
        try {
            var s = Json.read(json, RunSnapshot.class);
            if (s.runId() == null || s.status() == null || s.version() < 1 || !s.runId().equals(runId)) {
                throw new IllegalArgumentException("record names run " + s.runId() + " with status " + s.status());
            }
            return s;
        } catch (RuntimeException e) {
            LOG.warn("ignoring the unreadable record of run {}: {}", Text.oneLine(runId), Text.oneLine(e.getMessage()));
            return null;
        }
    }
}
