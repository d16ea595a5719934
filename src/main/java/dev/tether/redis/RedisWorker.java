package dev.tether.redis;

import dev.tether.engine.WorkerInfo;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.engine.ShutdownReport;
import dev.tether.json.Json;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunSnapshot;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.params.SetParams;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A worker process's engine: a {@link LocalEngine} fed from Redis streams, publishing every change of
 * its runs, honouring cancels (published or recorded while it was away), beating its heart, and
 * sweeping for lost peers.
 */
public final class RedisWorker implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RedisWorker.class);
    public static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /** Two and a half beats: one late beat is tolerated, and a dead worker is LOST within 3 s (with the 250 ms sweep). */
    public static final Duration HEARTBEAT_TTL = Duration.ofMillis(2_500);

    public record Options(String name, List<String> queues, int concurrency, Duration cancelGrace,
                          Duration finishedTtl, LostRunPolicy lostPolicy, dev.tether.engine.IsolationPolicy isolation) {
        public Options(String name, List<String> queues, int concurrency, Duration cancelGrace, Duration finishedTtl,
                       LostRunPolicy lostPolicy) {
            this(name, queues, concurrency, cancelGrace, finishedTtl, lostPolicy, null);
        }

        public static Options of(String name, List<String> queues, int concurrency) {
            return new Options(name, queues, concurrency, EngineConfig.defaults().cancelGrace(), Duration.ofDays(1),
                    LostRunPolicy.REQUEUE);
        }
    }

    private final RedisSettings settings;
    private final Options options;
    private final RedisClient redis;
    private final RunStore store;
    private final Keys keys = Keys.standard();
    private final Connectivity connectivity;
    private final RedisRunSource source;
    private final LocalEngine engine;
    private final LostWorkerSweep sweep;
    private final ScheduledExecutorService beat;
    private final Instant startedAt = Instant.now();
    private final AutoCloseable mirror;
    private final Thread cancelListener;
    private volatile JedisPubSub cancelSubscription;
    private volatile boolean closing;
    private final java.util.concurrent.ConcurrentHashMap<String, RunSnapshot> unpublished = new java.util.concurrent.ConcurrentHashMap<>();

    private RedisWorker(RedisSettings settings, Options options, GraphCatalog catalog) {
        this.settings = settings;
        this.options = options;
        this.redis = settings.client("tether-worker-" + options.name(), options.concurrency() + 6);
        try {
            redis.ping();
        } catch (RuntimeException e) {
            redis.close();
            throw RedisUnavailableException.of(settings, e);
        }
        if (redis.exists(keys.worker(options.name()))) {
            redis.close();
            throw new IllegalArgumentException("worker name '" + options.name() + "' is in use by a live worker; choose another --name");
        }
        this.connectivity = new Connectivity(settings.display());
        this.store = new RunStore(redis, keys, options.finishedTtl(), 10_000);
        this.source = new RedisRunSource(redis, store, options.name(), options.queues(), id -> catalog.find(id).isPresent(), connectivity);
        source.ensureGroups();
        this.sweep = new LostWorkerSweep(redis, store, options.name(), options.lostPolicy());
        // No checkpoints in a worker: kept in its memory they could serve no resume (nobody else can
        // reach them and they die with the process), yet cloning the state for each one was a fifth of
        // a worker's CPU. Durable checkpoints belong in a saver every worker can read.
        var config = EngineConfig.defaults().withConcurrency(options.concurrency()).withCancelGrace(options.cancelGrace())
                .withWorkerName(options.name()).withCheckpointSaver(null).withIsolation(options.isolation());
        this.engine = new LocalEngine(config, catalog, new RunRegistry(), source);
        this.mirror = engine.registry().subscribe(this::publish);
        this.cancelListener = Thread.ofPlatform().daemon().name("tether-worker-cancels").start(this::listenForCancels);
        this.beat = Executors.newSingleThreadScheduledExecutor(r -> {
            var t = new Thread(r, "tether-worker-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat();
        redis.sadd(keys.workers(), options.name());
        beat.scheduleAtFixedRate(this::everyBeat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        beat.scheduleAtFixedRate(this::sweepLost, 250, LostWorkerSweep.EVERY.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("worker '{}' on {}: queues {}, {} slots", options.name(), settings.display(), options.queues(), options.concurrency());
    }

    public static RedisWorker start(RedisSettings settings, Options options, GraphCatalog catalog) {
        return new RedisWorker(settings, options, catalog);
    }

    public LocalEngine engine() {
        return engine;
    }

    /** Mirrors a batch of local changes to Redis; a run that already ended there (lost, cancelled while queued) is stopped here. */
    private void publish(List<RunSnapshot> batch) {
        try {
            var outcomes = store.putAll(batch);
            connectivity.up();
            for (int i = 0; i < batch.size(); i++) {
                var s = batch.get(i);
                if (outcomes.get(i) == RunStore.Put.ALREADY_TERMINAL && !s.isTerminal()) {
                    LOG.warn("run {} already ended elsewhere; stopping it here", s.runId());
                    engine.cancel(s.runId());
                }
            }
        } catch (JedisConnectionException e) {
            connectivity.down(e);
            // kept (newest per run) and sent again on the next beat: a run's last change has no successor to carry it
            for (var s : batch) unpublished.merge(s.runId(), s, (a, b) -> b.version() > a.version() ? b : a);
        }
    }

    private void republish() {
        if (unpublished.isEmpty()) return;
        var batch = List.copyOf(unpublished.values());
        store.putAll(batch); // accepted, stale or refused: either way Redis now holds the newest truth
        for (var s : batch) unpublished.remove(s.runId(), s);
    }

    private void everyBeat() {
        try {
            heartbeat();
            boolean wasDown = !connectivity.isUp();
            connectivity.up();
            if (wasDown) resync();
            republish();
            for (var run : engine.registry().active()) { // cancels recorded while our subscription was down
                if (store.cancelRequested(run.runId())) engine.cancel(run.runId());
            }
        } catch (JedisConnectionException e) {
            connectivity.down(e);
        } catch (RuntimeException e) {
            LOG.warn("heartbeat failed", e);
        }
    }

    private void sweepLost() {
        try {
            sweep.sweep();
        } catch (JedisConnectionException e) {
            connectivity.down(e);
        } catch (RuntimeException e) {
            LOG.warn("lost-worker sweep failed: {}", e.getMessage());
        }
    }

    private void resync() {
        for (var run : engine.registry().active()) store.put(run);
    }

    private void heartbeat() {
        var stats = engine.stats();
        var info = new WorkerInfo(options.name(), host(), ProcessHandle.current().pid(), options.queues(), options.concurrency(),
                stats.busy(), stats.stuck(), startedAt, Instant.now());
        redis.set(keys.worker(options.name()), Json.write(info), SetParams.setParams().px(HEARTBEAT_TTL.toMillis()));
        redis.sadd(keys.workers(), options.name());
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private void listenForCancels() {
        while (!closing) {
            var sub = new JedisPubSub() {
                @Override
                public void onMessage(String channel, String runId) {
                    if (engine.registry().get(runId).map(r -> r.status().isActive()).orElse(false)) engine.cancel(runId);
                }

                @Override
                public void onSubscribe(String channel, int count) {
                    // anything published while we were away is in the durable records
                    for (var run : engine.registry().active()) if (store.cancelRequested(run.runId())) engine.cancel(run.runId());
                }
            };
            cancelSubscription = sub;
            try {
                try (var connection = settings.dedicated("tether-subscriber")) {
                    connection.subscribe(sub, keys.cancels());
                }
            } catch (RuntimeException e) {
                if (closing) return;
                connectivity.down(e instanceof Exception ex ? ex : new RuntimeException(e));
                try {
                    Thread.sleep(connectivity.backoffMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Cancels local runs, waits up to {@code timeout}, publishes their final state and leaves the cluster cleanly. */
    public ShutdownReport shutdown(Duration timeout) {
        closing = true;
        var report = engine.shutdown(timeout);
        beat.shutdownNow();
        try {
            mirror.close();
        } catch (Exception ignored) {
        }
        try {
            for (var run : engine.registry().all()) store.put(run); // final states, synchronously
            redis.del(keys.worker(options.name()));
            if (report.clean()) {
                redis.del(keys.workerRuns(options.name()));
                redis.srem(keys.workers(), options.name());
            } // else: its STUCK runs stay listed; the sweep marks them LOST once our heartbeat is gone
        } catch (RuntimeException e) {
            LOG.warn("could not publish the final state to Redis: {}", e.getMessage());
        }
        var sub = cancelSubscription;
        if (sub != null) {
            try {
                sub.unsubscribe();
            } catch (RuntimeException ignored) {
            }
        }
        redis.close();
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
