package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.CheckpointStore;
import dev.tether.engine.EngineStats;
import dev.tether.engine.GraphInfo;
import dev.tether.engine.QueueNames;
import dev.tether.engine.RunEngine;
import dev.tether.engine.ShutdownReport;
import dev.tether.engine.WorkerInfo;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelMode;
import dev.tether.run.CancelOutcome;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunStatus;
import redis.clients.jedis.UnifiedJedis;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The console's and command line's view of a Redis deployment. Runs are queued on streams and
 * executed by {@code tether worker} processes; this view submits, cancels, and shows their state.
 * It executes nothing, and closing it disconnects: runs on workers go on.
 *
 * <p>A {@linkplain #live live} view (console, {@code serve}) mirrors every run into its registry
 * and takes part in the lost-worker sweep ({@link RunMirror}). A {@linkplain #oneShot one-shot} view (a command-line command) mirrors
 * nothing: it reads only what its command needs (a run by its short id through the {@link RunIndex}),
 * so a command costs the same few round trips however many runs Redis holds, and it starts no
 * subscription and no sweep.
 */
public final class RedisView implements RunEngine {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RedisView.class);

    private final RedisSettings settings;
    private final GraphCatalog catalog;
    private final Routing routing;
    private final UnifiedJedis redis;
    private final Keys keys;
    private final RunStore store;
    private final RedisCheckpointStore checkpointStore;
    private final CancelRequests cancels;
    private final RunIndex index;
    /** Live: the mirror of every run. One-shot: only the runs this view submitted or changed itself. */
    private final RunRegistry registry = new RunRegistry();
    private final Connectivity connectivity;
    private final boolean live;
    private final String me = "client-" + ProcessHandle.current().pid() + "-" + RunIds.next().substring(28);
    /** Live views only: what keeps the registry a mirror of Redis. */
    private final RunMirror mirror;
    private volatile boolean shutdown;
    private volatile List<GraphInfo> graphInfos;
    private final java.util.Set<String> knownQueues = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final dev.tether.policy.PolicyBook policies;
    private final List<String> warnings;

    private RedisView(RedisSettings settings, GraphCatalog catalog, Routing routing, dev.tether.policy.PolicyBook policies, boolean live,
                      boolean awaitFirstLoad, int queuedShown) {
        this.settings = settings;
        this.policies = policies == null ? dev.tether.policy.PolicyBook.empty() : policies;
        this.catalog = catalog;
        this.routing = routing;
        this.live = live;
        this.keys = settings.keys();
        this.redis = settings.client("tether-" + me, 8);
        try {
            settings.reach(redis);
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
        this.connectivity = new Connectivity(settings.display());
        this.warnings = live ? RedisMemory.warnIfEvicting(redis, keys, settings.display(), LOG) : List.of();
        this.store = new RunStore(redis, keys, Duration.ofDays(1), 10_000, settings.replicaTarget());
        this.checkpointStore = new RedisCheckpointStore(redis, keys, Duration.ofDays(1), RedisCheckpointStore.Limits.DEFAULT);
        this.cancels = new CancelRequests(redis, keys, settings.replicaTarget());
        this.index = new RunIndex(redis, keys);
        try {
            this.mirror = live ? new RunMirror(settings, redis, store, registry, connectivity, me, awaitFirstLoad, queuedShown) : null;
        } catch (RuntimeException e) { // its first load failed: nothing of this view may outlive the error
            redis.close();
            throw Connectivity.lostContact(e) ? RedisUnavailableException.of(settings, e) : e;
        }
    }

    /** A live view: mirrors every run and joins the lost-worker sweep (console, {@code serve}). */
    public static RedisView live(RedisSettings settings, GraphCatalog catalog, Routing routing) {
        return live(settings, catalog, routing, null);
    }

    /** A live view whose submits resolve run policies with {@code policies} (the runs carry them to their workers). */
    public static RedisView live(RedisSettings settings, GraphCatalog catalog, Routing routing, dev.tether.policy.PolicyBook policies) {
        return new RedisView(settings, catalog, routing, policies, true, true, QueuedWindow.UNLIMITED);
    }

    /** The QUEUED runs a console holds unless told otherwise ({@code tether console --queued-shown}). */
    public static final int DEFAULT_QUEUED_SHOWN = 10_000;

    /**
     * A live view that returns once Redis answers, and loads its runs only from {@link #startLoading()}
     * on ({@link #loading()} until they are): the console shows its window first, then the runs as they
     * come. Over 100,000 runs the load takes seconds of CPU, which would hold the first frame back.
     * It holds every RUNNING and CANCELLING run and the first {@link #DEFAULT_QUEUED_SHOWN} queued ones.
     */
    public static RedisView liveLoading(RedisSettings settings, GraphCatalog catalog, Routing routing, dev.tether.policy.PolicyBook policies) {
        return liveLoading(settings, catalog, routing, policies, DEFAULT_QUEUED_SHOWN);
    }

    /**
     * As {@link #liveLoading(RedisSettings, GraphCatalog, Routing, dev.tether.policy.PolicyBook)}, holding at
     * most about {@code queuedShown} QUEUED runs (the first in line; the rest are counted, and
     * come in as held ones leave). Commands that act on every run (cancel all, a page of active runs)
     * still reach every run in Redis.
     */
    public static RedisView liveLoading(RedisSettings settings, GraphCatalog catalog, Routing routing, dev.tether.policy.PolicyBook policies,
                                        int queuedShown) {
        return new RedisView(settings, catalog, routing, policies, true, false, queuedShown);
    }

    /** A view for one command: no subscription, no sweep. */
    public static RedisView oneShot(RedisSettings settings, GraphCatalog catalog, Routing routing) {
        return oneShot(settings, catalog, routing, null);
    }

    public static RedisView oneShot(RedisSettings settings, GraphCatalog catalog, Routing routing, dev.tether.policy.PolicyBook policies) {
        return new RedisView(settings, catalog, routing, policies, false, false, QueuedWindow.UNLIMITED);
    }

    /**
     * Calls {@code listener} after each read of the live workers, until the returned handle is closed. A
     * one-shot view reads them only when asked, so it never calls it.
     */
    public AutoCloseable onWorkersRead(WorkersListener listener) {
        return mirror == null ? () -> {} : mirror.onWorkersRead(listener);
    }

    @Override
    public RunRegistry registry() {
        return registry;
    }

    @Override
    public List<GraphInfo> graphs() {
        var infos = graphInfos;
        if (infos == null) graphInfos = infos = catalog.all().stream()
                .map(d -> GraphInfo.describe(d, routing.queueFor(d), policies.resolve(d, routing.queueFor(d), null))).toList();
        return infos;
    }

    @Override
    public Map<String, dev.tether.run.RunPolicy> policies() {
        var out = new LinkedHashMap<String, dev.tether.run.RunPolicy>();
        for (var d : catalog.all()) out.put(d.id(), policies.resolve(d, routing.queueFor(d), null));
        return out;
    }

    /** The run's policy is resolved here, where it is submitted, and travels with its job: every worker enforces the same. */
    @Override
    public RunSnapshot submit(String graphId, String queue, Map<String, Object> input, dev.tether.run.RunPolicy policy) {
        if (shutdown) throw new IllegalStateException("disconnected from Redis: no new runs");
        var def = catalog.require(graphId);
        var q = queue == null || queue.isBlank() ? routing.queueFor(def) : QueueNames.requireValid(queue);
        var merged = new LinkedHashMap<>(def.defaultInput());
        if (input != null) merged.putAll(input);
        dev.tether.engine.InputLimit.require(merged);
        return enqueue(graphId, q, merged, null, policies.resolve(def, q, policy));
    }

    /**
     * A new attempt of a finished run, on whichever worker takes its queue: the checkpoints are in
     * Redis, so a LOST run continues on another worker. The resume point is chosen (and checked
     * readable) here; the worker that claims the job copies the checkpoints up to it.
     */
    @Override
    public RunSnapshot resume(String runId, String afterNode) {
        if (shutdown) throw new IllegalStateException("disconnected from Redis: no new runs");
        var old = patiently(() -> store.get(runId)).or(() -> registry.get(runId))
                .orElseThrow(() -> new java.util.NoSuchElementException("no run " + runId));
        if (!old.isTerminal()) {
            throw new IllegalStateException("run " + old.shortId() + " is " + old.status() + ": cancel it before resuming it");
        }
        catalog.require(old.graphId());
        var from = CheckpointStore.choose(old.runId(), checkpointStore.describe(old.runId()), afterNode);
        return enqueue(old.graphId(), old.queue(), old.input(), new dev.tether.run.ResumeOf(old.runId(), from.node(), from.id()), old.policy());
    }

    @Override
    public List<dev.tether.engine.CheckpointInfo> checkpoints(String runId) {
        return checkpointStore.describe(runId); // it rides out an outage itself
    }

    /** Back along {@code resumeOf} by reading each record, forward through the index's resume entries. */
    @Override
    public List<RunSnapshot> attempts(String runId) {
        return dev.tether.engine.Attempts.of(runId, id -> patiently(() -> store.get(id)).or(() -> registry.get(id)), ids -> {
            var found = new ArrayList<>(patiently(() -> store.load(index.resuming(ids))));
            // a live view also knows the resumes it mirrors (those written before the index existed have no entry)
            if (live) found.addAll(registry.select(r -> r.resumeOf() != null && ids.contains(r.resumeOf().runId())));
            return found;
        });
    }

    /**
     * A full id is read as it is (a run written before the index existed is found by it too); a part
     * of one is resolved through the {@link RunIndex}, never by scanning. A live view answers from its
     * mirror first.
     */
    @Override
    public Optional<RunSnapshot> find(String reference) {
        if (live) {
            var mirrored = registry.find(reference);
            if (mirrored.isPresent()) return mirrored;
        }
        return patiently(() -> index.resolve(reference).flatMap(id -> store.get(id).or(() -> registry.get(id))));
    }

    /**
     * The level and who asked travel in the cancel record to the run's worker (a stronger level
     * escalates a cancel under way; the worker keeps both in the run's record). Rollback: the run's
     * checkpoints go when it has stopped; the rollback record makes its worker's finish delete them.
     */
    @Override
    public CancelOutcome cancel(String runId, CancelRequest request) {
        return patiently(() -> cancelOnce(runId, request)); // every step may be repeated: records are set, not added
    }

    private CancelOutcome cancelOnce(String runId, CancelRequest request) {
        if (request.mode() == CancelMode.ROLLBACK) {
            checkpointStore.rollback(runId, false);
            var outcome = stop(runId, request);
            // Read after the record was set: either the finish saw the record, or this sees the end.
            if (outcome == CancelOutcome.ALREADY_FINISHED || store.get(runId).map(RunSnapshot::isTerminal).orElse(false)) {
                checkpointStore.discard(runId);
            }
            return outcome;
        }
        return stop(runId, request);
    }

    private RunSnapshot enqueue(String graphId, String q, Map<String, Object> merged, dev.tether.run.ResumeOf resumeOf,
                                dev.tether.run.RunPolicy policy) {
        var runId = RunIds.next();
        var now = Instant.now().truncatedTo(ChronoUnit.MILLIS); // the job carries epoch millis: one value everywhere
        var request = new dev.tether.engine.RunRequest(runId, graphId, q, merged, now, resumeOf, policy, null);
        var queued = RunStateMachine.apply(null, request.submitted());
        var fields = Jobs.fields(request);
        patiently(() -> {
            try {
                if (knownQueues.add(q)) redis.sadd(keys.queues(), q);
                return store.submit(queued, keys.queue(q), fields); // idempotent: a retry after a lost reply adds nothing
            } catch (RuntimeException e) {
                knownQueues.remove(q);
                throw e;
            }
        });
        registry.mirror(queued); // only once Redis has it: a failed submit leaves no row behind
        if (workers().stream().noneMatch(w -> w.serves(q, graphId))) {
            LOG.warn("no live worker takes graph '{}' from queue '{}': run {} waits until one does", graphId, q, queued.shortId());
        }
        return queued;
    }

    /**
     * A call that reads, or that may be repeated (the submit is idempotent). After Redis restarted or
     * connections were killed, the pool holds dead ones, and each costs one failed attempt: keep
     * trying for as long as a command may wait for a connection, then say Redis is unavailable. A
     * caller never sees the error of a connection that died while idle when Redis is there to answer.
     * A refusal (at once, or a server still in transition when the wait is over) is said in Redis's own
     * words ({@link RedisRefusedException}), never as a server that does not answer.
     */
    private <T> T patiently(java.util.function.Supplier<T> call) {
        long deadline = System.nanoTime() + RedisSettings.POOL_WAIT.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (redis.clients.jedis.exceptions.JedisException e) {
                if (RedisMemory.outOfMemory(e)) throw new RedisFullException(RedisMemory.refusal(settings.display()), e);
                if (!Connectivity.lostContact(e) && !inTransition(e)) throw RedisRefusedException.of(settings.display(), e);
                if (System.nanoTime() > deadline) {
                    throw Connectivity.lostContact(e) ? RedisUnavailableException.of(settings, e) : RedisRefusedException.of(settings.display(), e);
                }
                sleepQuietly(Math.min(500, 25L * attempt));
            }
        }
    }

    /**
     * A server between roles or states: a master just demoted by a failover (READONLY, until the pool
     * follows the new one), a replica that lost its master, a server still loading its data, or a
     * cluster slot whose master changes (MOVED, ASK, CLUSTERDOWN, TRYAGAIN, until the client has the new layout).
     */
    private static boolean inTransition(RuntimeException e) {
        var said = Connectivity.redisError(e); // a script's refusal too: Redis 6.2 wraps it in its own error
        var m = said != null ? said : String.valueOf(e.getMessage());
        return m.startsWith("READONLY") || m.startsWith("LOADING") || m.startsWith("MASTERDOWN")
                || m.startsWith("MOVED") || m.startsWith("ASK") || m.startsWith("CLUSTERDOWN") || m.startsWith("TRYAGAIN");
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CancelOutcome stop(String runId, CancelRequest request) {
        var stop = store.cancel(runId, request, cancels);
        if (stop.outcome() == CancelOutcome.UNKNOWN_RUN) {
            // Redis has no record of it: a run this view still shows (Redis lost it) may still run on a worker
            var shown = registry.get(runId).orElse(null);
            if (shown == null) return CancelOutcome.UNKNOWN_RUN;
            if (shown.isTerminal()) return CancelOutcome.ALREADY_FINISHED;
            cancels.request(runId, request);
            return shown.status() == RunStatus.CANCELLING ? CancelOutcome.ALREADY_CANCELLING : CancelOutcome.CANCELLING;
        }
        if (stop.run() != null && stop.run().isTerminal()) registry.mirror(stop.run());
        return stop.outcome(); // CANCELLING: its worker sees the publish (or the record) and stops it
    }

    /** Contact with Redis, for the metrics. */
    public RedisHealth health() {
        return connectivity;
    }

    /** Every active run: a live view that holds them all answers from its mirror, else Redis is read, a thousand a round trip. */
    @Override
    public List<RunSnapshot> activeRuns() {
        if (live && mirror.holdsEveryRun()) return registry.active();
        return patiently(() -> {
            var out = new ArrayList<RunSnapshot>();
            store.loadEach(new ArrayList<>(store.activeIds()), r -> {
                if (r.status().isActive()) out.add(r);
            });
            return out;
        });
    }

    /** QUEUED runs in Redis that this view does not hold (a console's {@link QueuedWindow}); 0 for any other view. */
    @Override
    public long queuedNotShown() {
        return live ? mirror.queuedNotShown() : 0;
    }

    /** A one-shot view reads the page from Redis' live index: O(page), however many runs are active. */
    @Override
    public dev.tether.run.ActivePage active(dev.tether.run.ActiveQuery query) {
        return live && mirror.holdsEveryRun() ? query.pageOf(registry.active()) : patiently(() -> store.activePage(query));
    }

    @Override
    public Optional<RunSnapshot> run(String runId) {
        return patiently(() -> store.get(runId)).or(() -> registry.get(runId));
    }

    @Override
    public List<String> cancelAll(CancelRequest request) {
        var ids = new ArrayList<String>();
        for (var id : activeIdsQueuedFirst()) {
            var o = cancel(id, request);
            if (o == CancelOutcome.CANCELLING || o == CancelOutcome.CANCELLED_BEFORE_START) ids.add(id);
        }
        return ids;
    }

    /**
     * Queued runs first (a stopped run must not free a slot for the next queued one). A view that does not
     * hold every run adds those it does not hold (queued ones: it holds every other) from the active set,
     * by id alone: no record is read for them.
     */
    @Override
    public List<String> activeIdsQueuedFirst() {
        if (!live || mirror.holdsEveryRun()) return RunEngine.super.activeIdsQueuedFirst();
        var held = registry.active();
        var heldIds = new java.util.HashSet<String>();
        for (var r : held) heldIds.add(r.runId());
        var out = new ArrayList<String>();
        for (var r : held) if (r.status() == RunStatus.QUEUED) out.add(r.runId());
        for (var id : patiently(store::activeIds)) if (!heldIds.contains(id)) out.add(id);
        out.sort(null); // ids are time-ordered: the first in line first
        for (var r : held) if (r.status() != RunStatus.QUEUED) out.add(r.runId());
        return out;
    }

    @Override
    public Optional<RunSnapshot> awaitTerminal(String runId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (var feed = registry.openFeed()) {
            while (true) {
                var r = registry.get(runId);
                if (r.isPresent() && r.get().isTerminal()) return r;
                long left = deadline - System.nanoTime();
                if (left <= 0) return Optional.empty();
                if (live && mirror.inSync() && (r.isPresent() || mirror.holdsEveryRun())) {
                    // The end is taken from the feed: it is offered before the registry's get shows it
                    // (under the run's lock), so a wait that only re-read the registry could sleep it out.
                    feed.await(Duration.ofNanos(Math.min(left, 200_000_000L)));
                    for (var s : feed.drain()) if (s.runId().equals(runId) && s.isTerminal()) return Optional.of(s);
                } else { // not listening: ask
                    Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 20));
                    try {
                        store.get(runId).ifPresent(registry::mirror);
                    } catch (redis.clients.jedis.exceptions.JedisException e) {
                        if (!Connectivity.lostContact(e)) throw e;
                        connectivity.down(e);
                    }
                }
            }
        }
    }

    Keys keysForTest() {
        return keys;
    }

    @Override
    public boolean ownsRuns() {
        return false;
    }

    /**
     * Live: the live workers as of the last maintenance tick (every 250 ms): views ask often and must not
     * wait on the network. One-shot: read now (a command asks once, if at all).
     */
    @Override
    public List<WorkerInfo> workers() {
        return live ? mirror.workers() : Heartbeat.liveWorkers(redis, keys);
    }

    /**
     * The finished runs Redis still holds (each for its worker's {@code --finished-ttl}, the newest
     * 10,000 at most), newest first; active runs are not in it ({@code tether list} shows them).
     */
    @Override
    public dev.tether.history.HistoryPage history(dev.tether.history.HistoryQuery query) {
        return patiently(() -> store.history(query));
    }

    @Override
    public EngineStats stats() {
        int capacity = 0, busy = 0, stuck = 0;
        for (var w : workers()) {
            capacity += w.concurrency();
            busy += w.busy();
            stuck += w.stuck();
        }
        long queued = registry.count(RunStatus.QUEUED) + queuedNotShown();
        return new EngineStats(capacity, busy, (int) Math.min(Integer.MAX_VALUE, queued), stuck);
    }

    @Override
    public String mode() {
        return settings.display();
    }

    /** A live view's: a server that would evict keys once full (logged as it started). */
    @Override
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public boolean connected() {
        return connectivity.isUp() && (!live || mirror.inSync());
    }

    @Override
    public boolean loading() {
        return live && !mirror.loaded();
    }

    /** A {@link #liveLoading} view's load begins (later calls, and other views, do nothing). */
    @Override
    public void startLoading() {
        if (live) mirror.startLoading();
    }

    /** Disconnects. Runs on workers are not touched: they belong to the deployment, not to this view. */
    @Override
    public ShutdownReport shutdown(Duration timeout) {
        long start = System.nanoTime();
        if (!shutdown) {
            shutdown = true;
            if (live) mirror.close();
            redis.close();
        }
        return new ShutdownReport(0, List.of(), Duration.ofNanos(System.nanoTime() - start));
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }
}
