package dev.tether.redis;

import dev.tether.json.Json;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunStatus;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.XPendingParams;
import redis.clients.jedis.resps.StreamEntry;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds workers whose heartbeat expired and settles what they held, in one atomic script per worker:
 * their started runs become LOST (through the state machine), their jobs that never started go back
 * on their queue ({@link LostRunPolicy#REQUEUE}) or are LOST too, their consumer and sets go.
 *
 * <p>LOST must mean lost. A heartbeat also goes missing when Redis restarted (keys expired while it
 * was down) or stalled (TTLs run on while it sleeps), refused writes (a full disk, a full memory: the
 * beats were refused while reads went on), or failed over (the new master has the beats the old one
 * took, not the ones it refused or missed), or when this participant itself was cut off or paused.
 * So a participant settles nobody unless, for longer than the heartbeat TTL, its own calls to Redis
 * have been quick and regular, the server has been the same server and up, and no write of its own
 * was refused: by then every healthy worker has beaten again. After a refused write it judges only
 * once a write of its own got through, a TTL before. It never settles itself.
 */
final class LostWorkerSweep {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LostWorkerSweep.class);

    static final Duration EVERY = Duration.ofMillis(250);
    /** A call slower than this, or a gap between sweeps longer than this, means we cannot judge others' silence for a while. */
    static final long HICCUP_NANOS = Duration.ofMillis(1_000).toNanos();
    static final Duration LOCK = Duration.ofSeconds(10);
    private static final int PENDING_BATCH = 10_000;

    private final UnifiedJedis redis;
    private final RunStore store;
    private final Keys keys;
    private final String me;
    private final String lockToken;
    private final long ttlNanos = Heartbeat.TTL.toNanos();
    private long healthySince = System.nanoTime();
    private int passes;
    private long lastSweep = System.nanoTime();
    /** Why judgement is withheld (what last reset {@link #healthySince}), and since when: said in the log when it lasts. */
    private String hiccup = "this participant just started";
    private long withheldSince;
    private long withheldSaid;
    static final long WITHHELD_SAY_NANOS = Duration.ofSeconds(10).toNanos();

    /** A worker name nobody lists (not a valid name to start a worker with): what the rights probe settles. */
    private static final String PROBE = "tether sweep probe";
    /** The server's run_id when last asked; another one means another server (a failover, a restart). */
    private String knownServer;
    /** A write of this sweep was refused and none got through since: silence proves nothing until one does. */
    private boolean writesRefused;
    private volatile boolean mayNotSettle;
    private boolean probed;
    private final MaintenanceSteps steps;

    LostWorkerSweep(UnifiedJedis redis, RunStore store, String me, MaintenanceSteps steps) {
        this.redis = redis;
        this.steps = steps;
        this.store = store;
        this.keys = store.keys();
        this.me = me;
        this.lockToken = me + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    /** One pass (every {@link #EVERY}); @return how many lost workers this pass settled */
    synchronized int sweep() {
        if (mayNotSettle) return 0;
        if (!probed) {
            // Settling is the worker role's (docs/redis-protocol.md, roles): a view whose user may not run the
            // settle script (a submitter's, an observer's) leaves it to the workers, before it takes any lock.
            // Settling a worker nobody lists reads two keys and changes nothing.
            try {
                Script.SETTLE.eval(redis, settleKeys(PROBE), List.of(Json.write(new ScriptPlan(Keys.GROUP, "0", "0", List.of(),
                        List.of(), List.of(), List.of(), List.of(), keys.prefix(), List.of())), PROBE));
            } catch (JedisAccessControlException | ScriptsNotLoadedException e) {
                mayNotSettle = true;
                LOG.info("this Redis user may not settle lost workers: the workers do ({})", Text.oneLine(e.getMessage()));
                return 0;
            }
            probed = true;
            knownServer = server().runId(); // a failover from now on is seen, even one before the first judgement
        }
        long start = System.nanoTime();
        if (start - lastSweep > HICCUP_NANOS) { // we were paused or starved: others' silence proves nothing yet
            hiccup(start, "this participant's own sweep came " + millis(start - lastSweep) + " ms after the one before");
        }
        lastSweep = start;
        List<String> silent;
        try {
            silent = silentWorkers();
        } catch (RuntimeException e) {
            hiccup(System.nanoTime(), "Redis failed a call (" + e.getClass().getSimpleName() + ")");
            throw e;
        }
        long end = System.nanoTime();
        if (end - start > HICCUP_NANOS) hiccup(end, "a call to Redis took " + millis(end - start) + " ms"); // Redis stalled: its TTLs ran on
        if (++passes % 20 == 0 && end - healthySince >= ttlNanos) { // every 5 s; refused, it must not keep lost workers unsettled
            steps.step("quarantining unreadable run records", store::quarantineUnreadable);
        }
        if (silent.isEmpty()) {
            withheldSince = 0;
            return 0;
        }
        if (end - healthySince < ttlNanos) return withhold(end, silent, hiccup);
        try {
            return judge(end, silent);
        } catch (RuntimeException e) {
            var refused = Connectivity.refusal(e);
            if (refused != null) writesRefused = true;
            hiccup(System.nanoTime(), refused != null ? "Redis refused a write (" + refused + "), so it may have refused the workers' beats"
                    : "Redis failed a call (" + e.getClass().getSimpleName() + ")");
            throw e;
        }
    }

    /** Silent workers, with this participant's contact healthy for a TTL: settles them unless the server says otherwise. */
    private int judge(long end, List<String> silent) {
        var server = server();
        // compared as Durations: a server that does not say has Long.MAX_VALUE, which times 10^9 is negative
        if (Duration.ofSeconds(server.uptimeSeconds()).compareTo(Heartbeat.TTL) < 0) {
            return withhold(end, silent, "Redis has been up only " + server.uptimeSeconds() + " s");
        }
        boolean otherServer = knownServer != null && server.runId() != null && !server.runId().equals(knownServer);
        if (server.runId() != null) knownServer = server.runId();
        if (otherServer) {
            hiccup(end, "Redis is another server than when last asked (a failover?)");
            return withhold(end, silent, hiccup);
        }
        long asked = System.nanoTime();
        boolean locked = "OK".equals(redis.set(keys.sweepLock(), lockToken, SetParams.setParams().nx().px(LOCK.toMillis())));
        long answered = System.nanoTime();
        // A write held (CLIENT PAUSE WRITE, a stalled disk) while reads went on held the beats too; the first write
        // that got through after a refused one (whether it took the lock or not) lets the beats through from now on.
        var doubt = answered - asked > HICCUP_NANOS ? "a write to Redis took " + millis(answered - asked) + " ms"
                : writesRefused ? "Redis takes writes again" : null;
        if (doubt != null) {
            writesRefused = false;
            if (locked) unlock();
            hiccup(answered, doubt);
            return withhold(answered, silent, hiccup);
        }
        withheldSince = 0;
        if (!locked) return 0;
        int settled = 0;
        try {
            for (var name : silent) if (settle(name, "stopped answering")) settled++;
        } finally {
            unlock();
        }
        return settled;
    }

    private void unlock() {
        Script.UNLOCK.eval(redis, List.of(keys.sweepLock()), List.of(lockToken));
    }

    private void hiccup(long at, String why) {
        healthySince = at;
        hiccup = why;
    }

    /**
     * Silent workers are not judged yet; when that lasts, the log says why (evidence for a lost-worker
     * verdict that comes late: this participant is starved, Redis stalls, ...). @return 0, none settled
     */
    private int withhold(long now, List<String> silent, String why) {
        if (withheldSince == 0) withheldSince = now;
        if (now - withheldSince >= WITHHELD_SAY_NANOS && now - withheldSaid >= WITHHELD_SAY_NANOS) {
            withheldSaid = now;
            LOG.warn("workers {} have no heartbeat, not judged lost yet ({} s so far): {}; this participant judges only after {} ms of "
                    + "quick, regular contact with Redis", silent.stream().map(Text::oneLine).toList(), millis(now - withheldSince) / 1_000, why,
                    Heartbeat.TTL.toMillis());
        }
        return 0;
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    /** The workers listed at the last pass (other than this participant): whose heartbeats the next pass asks for up front. */
    private List<String> listedBefore = List.of();

    /**
     * Listed workers, other than this participant, without a heartbeat. One round trip while the fleet
     * stays the same: the list and the heartbeats of the workers listed last time go in one pipeline;
     * only a worker listed since costs a second one.
     */
    private List<String> silentWorkers() {
        var guess = listedBefore;
        Response<java.util.Set<String>> listed;
        var beats = new ArrayList<Response<Boolean>>(guess.size());
        try (var pipe = redis.pipelined()) {
            listed = pipe.smembers(keys.workers());
            for (var name : guess) beats.add(pipe.exists(keys.worker(name)));
            pipe.sync();
        }
        var names = new ArrayList<>(listed.get());
        names.remove(me);
        var alive = new java.util.HashMap<String, Boolean>();
        for (int i = 0; i < guess.size(); i++) alive.put(guess.get(i), beats.get(i).get());
        var unseen = names.stream().filter(n -> !alive.containsKey(n)).toList();
        var seen = Exists.each(redis, unseen.stream().map(keys::worker).toList());
        for (int i = 0; i < unseen.size(); i++) alive.put(unseen.get(i), seen.get(i));
        listedBefore = List.copyOf(names);
        var out = new ArrayList<String>();
        for (var name : names) if (!alive.get(name)) out.add(name);
        return out;
    }

    /** The server holding the workers' keys, as it says: its run_id (null if it does not say) and how long it has been up. */
    private record Server(String runId, long uptimeSeconds) {}

    private Server server() {
        String runId = null;
        long uptime = Long.MAX_VALUE; // a server that does not say: trust the other checks
        for (var line : HomeNode.info(redis, keys.workers(), "server").split("\r?\n")) {
            if (line.startsWith("uptime_in_seconds:")) uptime = Long.parseLong(line.substring(18).trim());
            else if (line.startsWith("run_id:")) runId = line.substring(7).trim();
        }
        return new Server(runId, uptime);
    }

    /**
     * Settles worker {@code name} if it is listed and has no heartbeat (checked again inside the
     * script). Also used by a worker starting under the name of a dead predecessor.
     *
     * @return whether this call settled it
     */
    boolean settle(String name, String why) {
        for (int attempt = 0; attempt < 10; attempt++) {
            var plan = plan(name, why);
            var result = String.valueOf(Script.SETTLE.eval(redis, settleKeys(name), List.of(Json.write(plan.script), name)));
            switch (result) {
                case "settled" -> {
                    if (plan.lost + plan.requeued + plan.script.ack.size() > 0) {
                        LOG.warn("worker '{}' {}: {} runs LOST, {} jobs that never started requeued", Text.oneLine(name), why,
                                plan.lost, plan.requeued);
                    }
                    return true;
                }
                case "conflict" -> { /* a run changed while we planned: plan again */ }
                default -> {
                    return false; // alive again, or settled by someone else
                }
            }
        }
        LOG.warn("could not settle worker '{}': its runs kept changing", Text.oneLine(name));
        return false;
    }

    private List<String> settleKeys(String name) {
        return List.of(keys.worker(name), keys.workers(), keys.workerRuns(name), keys.active(), keys.finished(), keys.events(),
                keys.workerPolicy(name), keys.ids());
    }

    /** What the settle script does, as JSON: version checks, LOST snapshots, jobs to requeue or acknowledge. */
    record ScriptPlan(String group, String ttl, String cap, List<Map<String, String>> checks, List<Map<String, String>> puts,
                      List<Map<String, Object>> requeue, List<Map<String, String>> ack, List<String> streams,
                      String prefix, List<Map<String, Object>> retries) {}

    private record Plan(ScriptPlan script, int lost, int requeued) {}

    private Plan plan(String name, String why) {
        var checks = new ArrayList<Map<String, String>>();
        var puts = new ArrayList<Map<String, String>>();
        var requeue = new ArrayList<Map<String, Object>>();
        var ack = new ArrayList<Map<String, String>>();
        var handled = new HashSet<String>();
        var retries = new ArrayList<Map<String, Object>>();
        var now = Instant.now();
        var reason = "worker '" + name + "' " + why;
        var policy = policyOf(name);
        for (var run : store.load(new ArrayList<>(redis.smembers(keys.workerRuns(name))))) {
            handled.add(run.runId());
            if (!run.isTerminal()) lose(run, reason, now, checks, puts, retries);
        }
        var streams = new ArrayList<String>();
        for (var queue : redis.smembers(keys.queues())) {
            var stream = keys.queue(queue);
            streams.add(stream);
            for (var entry : pendingOf(stream, name)) {
                var id = entry.getKey().toString();
                var fields = entry.getValue();
                var runId = fields == null ? null : fields.get("id");
                if (fields == null || runId == null || !handled.add(runId)) { // gone from the stream, no run, or done above
                    ack.add(Map.of("s", stream, "id", id));
                    continue;
                }
                var run = store.get(runId).orElse(null);
                if (run != null && run.status() == RunStatus.QUEUED && policy == LostRunPolicy.REQUEUE
                        || run == null && policy == LostRunPolicy.REQUEUE) {
                    if (run != null) checks.add(Map.of("k", keys.run(runId), "v", Long.toString(run.version())));
                    var flat = new ArrayList<String>();
                    fields.forEach((k, v) -> {
                        flat.add(k);
                        flat.add(v);
                    });
                    requeue.add(Map.of("s", stream, "id", id, "f", flat));
                    continue;
                }
                if (run != null && !run.isTerminal() && (run.status() == RunStatus.QUEUED || name.equals(run.worker()))) {
                    lose(run, reason, now, checks, puts, retries);
                }
                ack.add(Map.of("s", stream, "id", id));
            }
        }
        var script = new ScriptPlan(Keys.GROUP, Long.toString(store.finishedTtl().toMillis()), Integer.toString(store.finishedKept()),
                checks, puts, requeue, ack, streams, keys.prefix(), retries);
        return new Plan(script, puts.size(), requeue.size());
    }

    /** The lost worker's own policy (it said so when it started); REQUEUE if it did not. */
    private LostRunPolicy policyOf(String name) {
        var value = redis.get(keys.workerPolicy(name));
        try {
            return value == null ? LostRunPolicy.REQUEUE : LostRunPolicy.valueOf(value);
        } catch (IllegalArgumentException e) {
            return LostRunPolicy.REQUEUE;
        }
    }

    private void lose(RunSnapshot run, String reason, Instant now, List<Map<String, String>> checks, List<Map<String, String>> puts,
                      List<Map<String, Object>> retries) {
        var lost = RunStateMachine.apply(run, new RunEvent.Lost(run.runId(), reason, now));
        if (lost == null) return;
        // its policy may retry a lost run: scheduled by the same script, so exactly once
        dev.tether.engine.RetryPlan.next(lost, now, java.util.concurrent.ThreadLocalRandom.current().nextDouble()).ifPresent(retry -> {
            var a = store.retryArgs(retry);
            retries.add(Map.of("w", a.subList(0, 8), "due", a.get(8), "q", a.get(9), "f", a.subList(10, a.size())));
        });
        checks.add(Map.of("k", keys.run(run.runId()), "v", Long.toString(run.version())));
        var args = store.writeArgs(lost);
        puts.add(Map.of("k", keys.run(run.runId()), "v", args.get(0), "t", args.get(1), "j", args.get(2), "id", args.get(3),
                "e", args.get(4), "w", args.get(7)));
    }

    /** The pending entries of one consumer with their fields (null fields: the entry is gone from the stream). */
    private List<Map.Entry<StreamEntryID, Map<String, String>>> pendingOf(String stream, String consumer) {
        List<redis.clients.jedis.resps.StreamPendingEntry> pending;
        try {
            pending = redis.xpending(stream, Keys.GROUP, XPendingParams.xPendingParams().count(PENDING_BATCH).consumer(consumer));
        } catch (redis.clients.jedis.exceptions.JedisDataException e) { // no stream or no group (Redis lost them): nothing pending
            if (String.valueOf(e.getMessage()).startsWith("NOGROUP")) return List.of();
            throw e;
        }
        if (pending.isEmpty()) return List.of();
        var responses = new ArrayList<Response<List<StreamEntry>>>(pending.size());
        try (var pipe = redis.pipelined()) {
            for (var p : pending) responses.add(pipe.xrange(stream, p.getID(), p.getID(), 1));
            pipe.sync();
        }
        var out = new ArrayList<Map.Entry<StreamEntryID, Map<String, String>>>(pending.size());
        for (int i = 0; i < pending.size(); i++) {
            var entries = responses.get(i).get();
            out.add(new java.util.AbstractMap.SimpleImmutableEntry<>(pending.get(i).getID(),
                    entries.isEmpty() ? null : new LinkedHashMap<>(entries.getFirst().getFields())));
        }
        return out;
    }
}
