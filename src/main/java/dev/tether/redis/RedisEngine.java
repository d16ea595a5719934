package dev.tether.redis;

import dev.tether.engine.WorkerInfo;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.CancelOutcome;
import dev.tether.engine.EngineStats;
import dev.tether.engine.GraphInfo;
import dev.tether.engine.QueueNames;
import dev.tether.engine.RunEngine;
import dev.tether.engine.ShutdownReport;
import dev.tether.json.Json;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunStatus;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The console's and command line's view of a Redis deployment: runs are queued on streams and
 * executed by {@code tether worker} processes; this engine mirrors their state into a local
 * registry (initial load, then the events channel; a full resync after every reconnect) and sends
 * cancels as a durable record plus a publish. Closing it disconnects; runs on workers go on.
 */
public final class RedisEngine implements RunEngine {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RedisEngine.class);
    static final long STREAM_MAX = 100_000;
    static final Duration CANCEL_RECORD_TTL = Duration.ofHours(1);

    private final RedisSettings settings;
    private final GraphCatalog catalog;
    private final Routing routing;
    private final RedisClient redis;
    private final Keys keys = Keys.standard();
    private final RunStore store;
    private final RunRegistry registry = new RunRegistry();
    private final Connectivity connectivity;
    private final LostWorkerSweep sweep;
    private final ScheduledExecutorService maintenance;
    private final Thread listener;
    private final String me = "client-" + ProcessHandle.current().pid() + "-" + RunIds.next().substring(28);
    private volatile JedisPubSub subscription;
    private volatile boolean subscribed;
    private volatile boolean shutdown;
    private volatile List<GraphInfo> graphInfos;
    private volatile List<WorkerInfo> workers = List.of();
    private final java.util.Set<String> knownQueues = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private RedisEngine(RedisSettings settings, GraphCatalog catalog, Routing routing) {
        this.settings = settings;
        this.catalog = catalog;
        this.routing = routing;
        this.redis = settings.client("tether-" + me, 8);
        try {
            redis.ping();
        } catch (RuntimeException e) {
            redis.close();
            throw RedisUnavailableException.of(settings, e);
        }
        this.connectivity = new Connectivity(settings.display());
        this.store = new RunStore(redis, keys, Duration.ofDays(1), 10_000);
        this.sweep = new LostWorkerSweep(redis, store, me, LostRunPolicy.REQUEUE);
        resync();
        this.workers = readWorkers();
        this.listener = Thread.ofPlatform().daemon().name("tether-redis-events").start(this::listen);
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            var t = new Thread(r, "tether-redis-maintenance");
            t.setDaemon(true);
            return t;
        });
        maintenance.scheduleAtFixedRate(this::maintain, 250, LostWorkerSweep.EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** @throws RedisUnavailableException when Redis cannot be reached or refuses the credentials */
    public static RedisEngine connect(RedisSettings settings, GraphCatalog catalog, Routing routing) {
        return new RedisEngine(settings, catalog, routing);
    }

    private void resync() {
        for (var r : store.active()) registry.mirror(r);
        for (var r : store.finished(1_000)) registry.mirror(r);
        // runs we show as active that Redis no longer has (expired, or a lost server): re-read them
        for (var r : registry.active()) store.get(r.runId()).ifPresent(registry::mirror);
    }

    private void listen() {
        while (!shutdown) {
            var sub = new JedisPubSub() {
                @Override
                public void onMessage(String channel, String json) {
                    try {
                        registry.mirror(Json.read(json, RunSnapshot.class));
                    } catch (RuntimeException e) {
                        LOG.warn("ignoring a malformed run event: {}", e.getMessage());
                    }
                }

                @Override
                public void onSubscribe(String channel, int count) {
                    subscribed = true;
                    connectivity.up();
                    try {
                        resync(); // whatever changed while we were not listening
                    } catch (RuntimeException e) {
                        if (!shutdown) LOG.warn("resync failed: {}", e.getMessage());
                    }
                }
            };
            subscription = sub;
            try {
                try (var connection = settings.dedicated("tether-subscriber")) {
                    connection.subscribe(sub, keys.events());
                }
            } catch (RuntimeException e) {
                subscribed = false;
                if (shutdown) return;
                connectivity.down(e);
                try {
                    Thread.sleep(connectivity.backoffMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
            subscribed = false;
        }
    }

    private void maintain() {
        try {
            sweep.sweep();
            workers = readWorkers();
        } catch (JedisConnectionException e) {
            connectivity.down(e);
        } catch (RuntimeException e) {
            LOG.warn("lost-worker sweep failed: {}", e.getMessage());
        }
    }

    @Override
    public RunRegistry registry() {
        return registry;
    }

    @Override
    public List<GraphInfo> graphs() {
        var infos = graphInfos;
        if (infos == null) graphInfos = infos = catalog.all().stream()
                .map(d -> GraphInfo.describe(d, routing.queueFor(d))).toList();
        return infos;
    }

    @Override
    public RunSnapshot submit(String graphId, String queue, Map<String, Object> input) {
        if (shutdown) throw new IllegalStateException("disconnected from Redis: no new runs");
        var def = catalog.require(graphId);
        var q = queue == null || queue.isBlank() ? routing.queueFor(def) : QueueNames.requireValid(queue);
        var merged = new LinkedHashMap<>(def.defaultInput());
        if (input != null) merged.putAll(input);
        var runId = RunIds.next();
        var now = Instant.now();
        var queued = registry.apply(new RunEvent.Submitted(runId, graphId, q, merged, now)).current();
        try {
            var fields = new LinkedHashMap<String, String>();
            fields.put("id", runId);
            fields.put("graph", graphId);
            fields.put("queue", q);
            fields.put("input", Json.write(merged));
            fields.put("submittedAt", Long.toString(now.toEpochMilli()));
            if (knownQueues.add(q)) redis.sadd(keys.queues(), q);
            store.putAndEnqueue(queued, keys.queue(q), fields, STREAM_MAX);
            return queued;
        } catch (JedisConnectionException e) {
            throw RedisUnavailableException.of(settings, e);
        }
    }

    @Override
    public CancelOutcome cancel(String runId) {
        var run = registry.get(runId).or(() -> store.get(runId)).orElse(null);
        if (run == null) return CancelOutcome.UNKNOWN_RUN;
        if (run.isTerminal()) return CancelOutcome.ALREADY_FINISHED;
        store.requestCancel(runId, CANCEL_RECORD_TTL);
        if (run.status() == RunStatus.CANCELLING) return CancelOutcome.ALREADY_CANCELLING;
        if (run.status() == RunStatus.QUEUED) {
            var latest = store.get(runId).orElse(run);
            var cancelled = RunStateMachine.apply(latest, new RunEvent.CancelRequested(runId, Instant.now()));
            if (cancelled != null && cancelled.status() == RunStatus.CANCELLED && store.put(cancelled) == RunStore.Put.ACCEPTED) {
                registry.mirror(cancelled);
                return CancelOutcome.CANCELLED_BEFORE_START;
            }
        }
        return CancelOutcome.CANCELLING; // its worker sees the publish (or the record) and stops it
    }

    @Override
    public List<String> cancelAll() {
        var ids = new ArrayList<String>();
        var active = new ArrayList<>(registry.active());
        active.sort((a, b) -> Boolean.compare(a.status() != RunStatus.QUEUED, b.status() != RunStatus.QUEUED)); // queued first
        for (var r : active) {
            var o = cancel(r.runId());
            if (o == CancelOutcome.CANCELLING || o == CancelOutcome.CANCELLED_BEFORE_START) ids.add(r.runId());
        }
        return ids;
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
                feed.await(Duration.ofNanos(Math.min(left, 200_000_000L)));
                feed.drain();
                if (!subscribed) store.get(runId).ifPresent(registry::mirror); // not listening: ask
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

    /** The live workers as of the last maintenance tick (every 250 ms): views ask often and must not wait on the network. */
    @Override
    public List<WorkerInfo> workers() {
        return workers;
    }

    private List<WorkerInfo> readWorkers() {
        var out = new ArrayList<WorkerInfo>();
        for (var name : redis.smembers(keys.workers())) {
            var json = redis.get(keys.worker(name));
            if (json != null) out.add(Json.read(json, WorkerInfo.class));
        }
        out.sort(java.util.Comparator.comparing(WorkerInfo::name));
        return out;
    }

    @Override
    public EngineStats stats() {
        int capacity = 0, busy = 0, stuck = 0;
        for (var w : workers) {
            capacity += w.concurrency();
            busy += w.busy();
            stuck += w.stuck();
        }
        int queued = registry.counts().getOrDefault(RunStatus.QUEUED, 0);
        return new EngineStats(capacity, busy, queued, stuck);
    }

    @Override
    public String mode() {
        return settings.display();
    }

    @Override
    public boolean connected() {
        return subscribed && connectivity.isUp();
    }

    /** Disconnects. Runs on workers are not touched: they belong to the deployment, not to this view. */
    @Override
    public ShutdownReport shutdown(Duration timeout) {
        long start = System.nanoTime();
        if (!shutdown) {
            shutdown = true;
            maintenance.shutdownNow();
            var sub = subscription;
            if (sub != null) {
                try {
                    sub.unsubscribe();
                } catch (RuntimeException ignored) {
                }
            }
            listener.interrupt();
            redis.close();
        }
        return new ShutdownReport(0, List.of(), Duration.ofNanos(System.nanoTime() - start));
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }
}
