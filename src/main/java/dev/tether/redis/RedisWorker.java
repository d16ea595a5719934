package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.engine.ShutdownReport;
import dev.tether.engine.WorkerInfo;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.XPendingParams;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A worker process's engine: a {@link LocalEngine} fed from Redis streams, writing every change of
 * its runs back ({@link RunPublisher}), honouring cancels ({@link WorkerCancels}), beating its heart on
 * a thread of its own, fencing itself when cut off, catching up after a gap, and sweeping for lost peers.
 */
public final class RedisWorker implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RedisWorker.class);
    public static final Duration DEFAULT_FENCE_TIMEOUT = Duration.ofSeconds(10);

    /** @param checkpoints whether runs write checkpoints to Redis (so they can be resumed, on any worker) */
    public record Options(String name, List<String> queues, int concurrency, Duration cancelGrace,
                          Duration finishedTtl, LostRunPolicy lostPolicy, Duration fenceTimeout,
                          dev.tether.engine.IsolationPolicy isolation, boolean checkpoints) {
        public Options {
            dev.tether.engine.Names.require("worker name", name);
            for (var q : queues) dev.tether.engine.Names.require("queue", q);
            if (fenceTimeout.compareTo(Heartbeat.HOLD_AFTER) < 0) {
                throw new IllegalArgumentException("--fence-timeout must be at least " + Heartbeat.HOLD_AFTER.toMillis() + "ms");
            }
        }

        public Options(String name, List<String> queues, int concurrency, Duration cancelGrace, Duration finishedTtl,
                       LostRunPolicy lostPolicy, Duration fenceTimeout, dev.tether.engine.IsolationPolicy isolation) {
            this(name, queues, concurrency, cancelGrace, finishedTtl, lostPolicy, fenceTimeout, isolation, true);
        }

        public static Options of(String name, List<String> queues, int concurrency) {
            return new Options(name, queues, concurrency, EngineConfig.defaults().cancelGrace(), Duration.ofDays(1),
                    LostRunPolicy.REQUEUE, DEFAULT_FENCE_TIMEOUT, null);
        }
    }

    private static final String HOST = hostName();

    private final Options options;
    private final UnifiedJedis redis;
    private final UnifiedJedis beatRedis;
    private final Keys keys;
    private final RunStore store;
    private final CancelRequests cancels;
    private final Connectivity connectivity;
    private final LostWorkerSweep sweep;
    private final StreamTrimmer trimmer;
    private final RunIndex index;
    private final RedisRunSource source;
    private final Heartbeat heartbeat;
    private final LocalEngine engine;
    private final AutoCloseable mirror;
    private final RunPublisher publisher;
    private final WorkerCancels workerCancels;
    private final ScheduledExecutorService maintenance;
    private final RedisCheckpointStore checkpoints;
    private final Instant startedAt = Instant.now();
    private final List<String> graphIds;
    /** Runs this worker stopped itself while cut off, with the reason; until their end is recorded in Redis. */
    private final ConcurrentHashMap<String, String> fenced = new ConcurrentHashMap<>();
    private final Set<String> fencedToReport = ConcurrentHashMap.newKeySet();
    private final WorkerStalls stalls;
    private final MaintenanceSteps steps;
    private volatile long lastMaintainedNanos = System.nanoTime();
    private volatile List<WorkerInfo> peers = List.of();
    static final String MAINTENANCE = "maintenance (sweep, retries, cancel checks)";

    private RedisWorker(RedisSettings settings, Options options, GraphCatalog catalog) {
        this.options = options;
        this.keys = settings.keys();
        this.redis = settings.client("tether-worker-" + options.name(), options.concurrency() + 6);
        try {
            settings.reach(redis);
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
        RedisMemory.warnIfEvicting(redis, keys, settings.display(), LOG);
        if (!heartbeatLapsed(redis, keys.worker(options.name()))) {
            redis.close();
            throw new IllegalArgumentException("worker name '" + options.name() + "' is in use by a live worker; choose another --name");
        }
        this.beatRedis = settings.client("tether-worker-heartbeat-" + options.name(), 2);
        this.connectivity = new Connectivity(settings.display());
        this.stalls = new WorkerStalls(options.name());
        this.steps = new MaintenanceSteps(settings.display(), stalls);
        this.store = new RunStore(redis, keys, options.finishedTtl(), 10_000, settings.replicaTarget());
        this.cancels = new CancelRequests(redis, keys, settings.replicaTarget());
        this.sweep = new LostWorkerSweep(redis, store, options.name(), steps);
        this.trimmer = new StreamTrimmer(redis);
        this.index = new RunIndex(redis, keys);
        this.graphIds = catalog.all().stream().map(g -> g.id()).sorted().toList();
        // A dead worker of the same name (killed, then restarted as the README shows) left runs and
        // pending jobs under this name: settle them first, as the sweep would have.
        redis.sadd(keys.workers(), options.name());
        sweep.settle(options.name(), "was replaced by a new worker of the same name");
        redis.set(keys.workerPolicy(options.name()), options.lostPolicy().name()); // what the sweep does if this one is lost
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("tether-worker-maintenance").unstarted(r));
        // Checkpoints go to Redis, where any worker can continue the run (a LOST one resumes elsewhere); written
        // behind, on the maintenance thread, where the progress that follows them is written too.
        this.checkpoints = options.checkpoints()
                ? new RedisCheckpointStore(redis, keys, options.finishedTtl(), RedisCheckpointStore.Limits.DEFAULT, this::inAHold) : null;
        var checkpointStore = checkpoints;
        this.source = new RedisRunSource(redis, store, options.name(), options.queues(), Set.copyOf(graphIds),
                this::someoneElseRuns, fenced::get, connectivity, stalls, this::inContact,
                id -> checkpointStore == null ? RedisCheckpointStore.Carried.NONE : checkpointStore.forTheEnd(id));
        source.ensureGroups();
        this.heartbeat = new Heartbeat(beatRedis, keys, options.name(), this::info, connectivity, options.fenceTimeout(), stalls,
                new Heartbeat.Listener() {
                    @Override
                    public void caughtUp(boolean wasSettled) {
                        catchUp(wasSettled);
                    }

                    @Override
                    public void fence(Duration silentFor, String refused) {
                        stopAll("worker '" + options.name() + (refused != null
                                ? "' could not write to Redis for " + silentFor.toMillis() + " ms (" + refused + ")"
                                : "' lost contact with Redis for " + silentFor.toMillis() + " ms") + " and stopped the run itself");
                    }
                });
        heartbeat.join();
        var config = EngineConfig.defaults().withConcurrency(options.concurrency()).withCancelGrace(options.cancelGrace())
                .withWorkerName(options.name()).withIsolation(options.isolation()).withCheckpointSaver(checkpoints);
        var gated = GraphCatalog.of(catalog.all().stream().map(g -> (dev.tether.api.GraphDefinition) new GatedGraph(g, heartbeat)).toList());
        this.engine = new LocalEngine(config, gated, new RunRegistry(), source);
        this.publisher = new RunPublisher(store, connectivity, this::stopHere, checkpointStore == null ? () -> {} : checkpointStore::flush);
        this.workerCancels = new WorkerCancels(settings, "tether-worker-cancels", cancels, engine, connectivity);
        // woken at once only for what cannot wait: a run's progress waits out the publisher's hold, and a
        // short run's claim and end need nothing here (its job records the end)
        this.mirror = engine.registry().subscribe(batch -> {
            workerCancels.seen(batch);
            publisher.publish(batch);
        }, RunPublisher.HOLD, s -> RunPublisher.writesAtOnce(s) || workerCancels.awaits(s));
        lastMaintainedNanos = System.nanoTime(); // counted from its start, not from this constructor's (slow under load)
        maintenance.scheduleWithFixedDelay(this::maintain, LostWorkerSweep.EVERY.toMillis(), LostWorkerSweep.EVERY.toMillis(), TimeUnit.MILLISECONDS);
        stalls.condition("maintenance", () -> {
            long idle = System.nanoTime() - lastMaintainedNanos;
            return idle < WorkerStalls.AFTER.toNanos() ? null : "maintenance has not run for " + WorkerStalls.seconds(idle);
        });
        stalls.condition("unpublished", publisher::stall);
        stalls.condition("cancels", workerCancels::stall);
        LOG.info("worker '{}' on {}: queues {}, {} slots", options.name(), settings.display(), options.queues(), options.concurrency());
    }

    /**
     * A worker restarted under its name right after a crash finds its predecessor's heartbeat still
     * there for up to one TTL: wait that out. A heartbeat that stays is a live worker.
     */
    private static boolean heartbeatLapsed(UnifiedJedis redis, String key) {
        long deadline = System.nanoTime() + Heartbeat.TTL.plusMillis(500).toNanos();
        while (redis.exists(key)) {
            if (System.nanoTime() > deadline) return false;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    public static RedisWorker start(RedisSettings settings, Options options, GraphCatalog catalog) {
        return new RedisWorker(settings, options, catalog);
    }

    public LocalEngine engine() {
        return engine;
    }

    private WorkerInfo info() {
        var stats = engine == null ? null : engine.stats();
        return new WorkerInfo(options.name(), HOST, ProcessHandle.current().pid(), options.queues(),
                stats == null ? options.concurrency() : stats.capacity(), stats == null ? 0 : stats.busy(),
                stats == null ? 0 : stats.stuck(), startedAt, Instant.now(), graphIds, stalls.report(),
                heartbeat != null && !heartbeat.fresh(), options.fenceTimeout().toMillis());
    }

    /** Beats get through and the worker has caught up: it may take jobs and start nodes. */
    private boolean inContact() {
        var h = heartbeat;
        return h == null || h.fresh();
    }

    private boolean someoneElseRuns(String queue, String graph) {
        return peers.stream().anyMatch(w -> !w.name().equals(options.name()) && w.serves(queue, graph));
    }

    /** Contact with Redis, for the metrics. */
    public RedisHealth health() {
        return connectivity;
    }

    /**
     * Runs a write of queued checkpoints on the maintenance thread, {@link RunPublisher#HOLD}
     * from now (after a shutdown: never; the shutdown writes every run's state, and its runs' ends carry their checkpoints).
     */
    private void inAHold(Runnable write) {
        try {
            maintenance.schedule(() -> {
                try {
                    write.run();
                } catch (RuntimeException e) { // kept as unpublished by the publisher; written on a later tick
                    connectivity.down(e);
                }
            }, RunPublisher.HOLD.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: the shutdown writes every run's last state itself
        }
    }

    private void stopHere(String runId) {
        if (!engine.registry().get(runId).map(r -> r.status().isActive()).orElse(false)) return; // it ended here too: nothing to stop
        LOG.warn("run {} already ended in Redis (declared LOST while this worker was out of contact?); stopping it here", runId);
        engine.cancel(runId);
    }

    /** Read and written by the catch-up thread only (catch-ups run one at a time). */
    private boolean unlistedSaid;

    /** After a gap in contact, before runs may go on: Redis learns our runs' state and we learn of cancels and LOST verdicts. */
    private void catchUp(boolean wasSettled) {
        if (wasSettled && !unlistedSaid) {
            unlistedSaid = true; // once, not on every retry of a failing catch-up
            LOG.warn("worker '{}' was not listed in Redis any more (settled as lost, or Redis lost its data)", options.name());
        }
        source.ensureGroups();
        publisher.republish();
        var active = engine.registry().active();
        var outcomes = store.putAll(active);
        var ours = new ArrayList<String>();
        var holding = new ArrayList<RunSnapshot>();
        for (int i = 0; i < active.size(); i++) {
            if (outcomes.get(i) == RunStore.Put.ALREADY_TERMINAL) stopHere(active.get(i).runId());
            else {
                ours.add(active.get(i).runId());
                if (active.get(i).status() != dev.tether.run.RunStatus.QUEUED) holding.add(active.get(i));
            }
        }
        if (wasSettled) {
            // Redis lost its data (a settled worker's runs were ALREADY_TERMINAL above): list our runs and
            // policy again, so that the sweep still finds them if this worker dies later.
            if (!ours.isEmpty()) redis.sadd(keys.workerRuns(options.name()), ours.toArray(String[]::new));
            redis.set(keys.workerPolicy(options.name()), options.lostPolicy().name());
            // The ends of our recent runs went with the data too: a view that missed one (its subscription down)
            // would show the run active until it judged it LOST, knowing only what it had seen. A record still
            // there keeps its own (a terminal one is final, the same version is stale).
            store.putAll(recentlyEnded());
        }
        store.holdPlaces(holding, options.name()); // a Redis that lost its data lost them too
        workerCancels.checkRecords();
        source.retryUnfinished();
        unlistedSaid = false;
        if (!fencedToReport.isEmpty()) {
            var stopped = List.copyOf(fencedToReport);
            LOG.warn("worker '{}' stopped these runs itself while out of contact: {}", options.name(), stopped);
            stopped.forEach(fencedToReport::remove);
        }
    }

    /** How far back a worker writes its runs' ends again after Redis lost its data. */
    static final Duration RECENT_ENDS = Duration.ofMinutes(5);

    private List<RunSnapshot> recentlyEnded() {
        var since = Instant.now().minus(RECENT_ENDS);
        return engine.registry().select(r -> r.isTerminal() && r.endedAt() != null && r.endedAt().isAfter(since));
    }

    /**
     * The fence: every active run is stopped (boundary + interrupt + token, as for any cancel) and
     * recorded LOST with the reason once Redis is back, however it ended here meanwhile.
     */
    private void stopAll(String reason) {
        for (var run : engine.registry().active()) {
            fenced.put(run.runId(), reason);
            fencedToReport.add(run.runId());
            engine.cancel(run.runId());
            engine.registry().apply(new RunEvent.Lost(run.runId(), reason, Instant.now())); // if it has not ended here yet
        }
    }

    /**
     * One pass, step by step ({@link MaintenanceSteps}): a step Redis refuses is reported and the others
     * still run; only a lost contact ends the pass early.
     */
    private void maintain() {
        lastMaintainedNanos = System.nanoTime();
        long tick = ++ticks;
        try {
            // Peers only decide whether to hand a job over (a graph this worker lacks): a read every 2 s is
            // enough, and each read parses every worker's heartbeat, so it is what grows with the fleet.
            if (tick % 8 == 1) steps.step("reading live workers", () -> peers = Heartbeat.liveWorkers(redis, keys));
            steps.step("lost-worker sweep", sweep::sweep);
            steps.step("writing run states", publisher::republish);
            steps.step("recording run ends", source::retryUnfinished);
            steps.step("checking cancel records", workerCancels::checkRecords); // cancels recorded while our subscription was down
            if (tick % 2 == 0) steps.step("moving due jobs", () -> store.pump(options.queues())); // retries that fell due, runs a limit let go
            if (tick % 8 == 0) steps.step("recovering stranded jobs", source::recoverStranded);
            if (tick % 20 == 0) steps.step("trimming queues", () -> { for (var q : options.queues()) trimmer.trim(keys.queue(q)); });
            // Bounded batches, seldom: each looks at 200 runs in Redis, and every worker of the fleet does its share.
            if (tick % 8 == 5) steps.step("pruning the run index", index::prune); // entries of runs whose record expired: every 2 s
            if (tick % 20 == 3) steps.step("pruning the live index", index::pruneLive); // entries of runs no longer active: every 5 s
            connectivity.up();
            stalls.worked(MAINTENANCE);
        } catch (RuntimeException e) { // no answer: the steps after it would wait as long
            connectivity.down(e);
            stalls.failed(MAINTENANCE, e);
        }
        lastMaintainedNanos = System.nanoTime();
    }

    private long ticks;

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** Cancels local runs, waits up to {@code timeout}, publishes their final state and leaves the cluster cleanly. */
    public ShutdownReport shutdown(Duration timeout) {
        return shutdown(timeout, dev.tether.run.CancelOrigin.SHUTDOWN);
    }

    /** As {@link #shutdown(Duration)}, its cancels recorded as asked by {@code origin} (a signal, a shutdown). */
    public ShutdownReport shutdown(Duration timeout, dev.tether.run.CancelOrigin origin) {
        var report = engine.shutdown(timeout, origin);
        maintenance.shutdownNow();
        if (checkpoints != null) checkpoints.flush(); // runs still going (forced, left LOST for the sweep) keep what they reached
        workerCancels.close();
        try {
            mirror.close();
        } catch (Exception ignored) {
        }
        try {
            publisher.republish();
            store.putAll(engine.registry().all().stream().filter(r -> r.version() > 2 || r.isTerminal()).toList());
            source.retryUnfinished();
            int handedBack = source.releaseBuffered();
            if (handedBack > 0) LOG.info("handed {} jobs that had not started back to their queues", handedBack);
            heartbeat.close();
            redis.del(keys.worker(options.name()));
            if (report.clean() && source.retryUnfinished() == 0) {
                for (var q : options.queues()) {
                    try {
                        var pending = redis.xpending(keys.queue(q), Keys.GROUP, XPendingParams.xPendingParams()
                                .count(1).consumer(options.name()));
                        if (pending.isEmpty()) redis.xgroupDelConsumer(keys.queue(q), Keys.GROUP, options.name());
                    } catch (RuntimeException ignored) { // no group: nothing to leave behind
                    }
                }
                redis.del(keys.workerRuns(options.name()), keys.workerPolicy(options.name()));
                redis.srem(keys.workers(), options.name());
            } // else: what is left is settled by the sweep once our heartbeat is gone (STUCK runs become LOST)
        } catch (RuntimeException e) {
            LOG.warn("could not publish the final state to Redis: {}", Text.oneLine(e.getMessage()));
        } finally {
            heartbeat.close();
            redis.close();
            beatRedis.close();
        }
        return report;
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(30));
    }

    public String name() {
        return options.name();
    }
}
