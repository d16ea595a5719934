package dev.tether.cli;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.Isolation;
import dev.tether.engine.IsolationPolicy;
import dev.tether.engine.LocalEngine;
import dev.tether.engine.RunEngine;
import dev.tether.registry.RunRegistry;
import picocli.CommandLine.Option;

import java.time.Duration;

/** Options of the processes that own an engine (console, serve). */
final class EngineOptions {
    /** At exit, how long the history may take to write its last changes after the engine stopped. */
    static final Duration HISTORY_FLUSH = Duration.ofSeconds(5);

    @Option(names = "--concurrency", paramLabel = "N", description = "Runs executing at once (default: ${DEFAULT-VALUE}).")
    int concurrency = EngineConfig.defaults().concurrency();

    @Option(names = "--cancel-grace", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long a cancelled node may ignore its cancel before the run is STUCK (default: 5s).")
    Duration cancelGrace = EngineConfig.defaults().cancelGrace();

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "On exit or SIGINT/SIGTERM: how long to wait for cancelled runs before forcing (default: 30s).")
    Duration shutdownTimeout = Duration.ofSeconds(30);

    @Option(names = "--isolation", paramLabel = "MODE", converter = IsolationConverter.class,
            description = "Where runs execute: thread (in this process; default) or process (a child JVM each, which a kill can stop)."
                    + " Per graph: isolation.properties in the Tether home (graph-id = process).")
    Isolation isolation = Isolation.THREAD;

    @Option(names = "--redis", paramLabel = "URI",
            description = "Use the workers behind this Redis (redis://[user:password@]host[:port][/db], rediss:// for TLS; redis-sentinel://h1,h2?master=NAME; redis-cluster://h1,h2) instead of the embedded engine; default: $TETHER_REDIS_URL.")
    String redis;

    @Option(names = "--checkpoints", paramLabel = "STORE",
            description = "Where checkpoints go: store (the embedded file ~/.tether/tether.db; default), memory (lost on exit) or off.")
    String checkpoints = "store";

    @Option(names = "--checkpoint-runs", paramLabel = "N",
            description = "Ended runs whose checkpoints are kept for a resume, newest first (default: ${DEFAULT-VALUE}).")
    int checkpointRuns = dev.tether.store.SqliteCheckpointStore.Limits.DEFAULT.runs();

    @Option(names = "--checkpoint-bytes", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "Most space all checkpoints may take, e.g. 512MiB (default); the oldest ended runs' go first.")
    long checkpointBytes = dev.tether.store.SqliteCheckpointStore.Limits.DEFAULT.bytes();

    @Option(names = "--history-keep", paramLabel = "N",
            description = "Finished runs the embedded history keeps; the oldest beyond are deleted (default: 1000000).")
    int historyKeep = dev.tether.store.RunHistory.DEFAULT_MAX_FINISHED;

    /**
     * Looked up when something is logged, not when the class loads: every command line builds these
     * options (picocli makes every command's), and a logger would start the logging configuration
     * even for {@code --version}.
     */
    private static org.slf4j.Logger log() {
        return org.slf4j.LoggerFactory.getLogger(EngineOptions.class);
    }

    private GraphCatalog catalog;
    private dev.tether.store.RunHistory history;

    /** The graphs this process offers, loaded once (plugins included; broken ones are its problems). */
    GraphCatalog catalog() {
        if (catalog == null) catalog = GraphCatalog.load(GraphCatalog.defaultPluginsDir());
        return catalog;
    }

    RunEngine engine() {
        return engine(true);
    }

    /**
     * @param awaitRuns with {@code --redis}: return once the runs are loaded ({@code serve}: its API answers
     *                  with every run from its first request); a console passes false and shows them as they come
     */
    RunEngine engine(boolean awaitRuns) {
        return engine(awaitRuns, dev.tether.redis.RedisView.DEFAULT_QUEUED_SHOWN);
    }

    /** @param queuedShown with {@code --redis} and not {@code awaitRuns}: the queued runs the view holds at most */
    RunEngine engine(boolean awaitRuns, int queuedShown) {
        var settings = dev.tether.redis.RedisSettings.fromOptionOrEnv(redis);
        if (settings != null) {
            var routing = dev.tether.redis.Routing.load(dev.tether.catalog.TetherHome.dir().resolve("routing.properties"));
            var policies = dev.tether.policy.PolicyBook.inHome();
            return awaitRuns ? dev.tether.redis.RedisView.live(settings, catalog(), routing, policies)
                    : dev.tether.redis.RedisView.liveLoading(settings, catalog(), routing, policies, queuedShown);
        }
        return localEngine();
    }

    /** The --isolation default, overridden per graph by isolation.properties beside routing.properties. */
    static IsolationPolicy isolationPolicy(Isolation defaultIsolation) {
        return IsolationPolicy.load(defaultIsolation, dev.tether.catalog.TetherHome.dir().resolve(IsolationPolicy.FILE));
    }

    /** The embedded store unless asked otherwise; a store that cannot be opened costs resume, never the start. */
    org.bsc.langgraph4j.checkpoint.BaseCheckpointSaver checkpointSaver() {
        if (checkpointRuns < 1) throw new IllegalArgumentException("--checkpoint-runs must be at least 1");
        return switch (checkpoints.toLowerCase(java.util.Locale.ROOT)) {
            case "off" -> null;
            case "memory" -> new org.bsc.langgraph4j.checkpoint.MemorySaver();
            case "store" -> {
                try {
                    yield new dev.tether.store.SqliteCheckpointStore(dev.tether.store.TetherDatabase.open(dev.tether.store.TetherDatabase.defaultFile()),
                            new dev.tether.store.SqliteCheckpointStore.Limits(checkpointRuns, checkpointBytes,
                                    dev.tether.store.SqliteCheckpointStore.Limits.DEFAULT.perRun()));
                } catch (dev.tether.store.StoreException e) {
                    log().warn("{}: checkpoints are kept in memory only", e.getMessage());
                    yield new org.bsc.langgraph4j.checkpoint.MemorySaver();
                }
            }
            default -> throw new IllegalArgumentException("--checkpoints must be store, memory or off, not '" + checkpoints + "'");
        };
    }

    LocalEngine localEngine() {
        if (concurrency < 1) throw new IllegalArgumentException("--concurrency must be at least 1");
        if (historyKeep < 1) throw new IllegalArgumentException("--history-keep must be at least 1");
        var config = EngineConfig.defaults().withConcurrency(concurrency).withCancelGrace(cancelGrace)
                .withIsolation(isolationPolicy(isolation)).withCheckpointSaver(checkpointSaver())
                .withPolicies(dev.tether.policy.PolicyBook.inHome());
        var engine = new LocalEngine(config, catalog(), new RunRegistry());
        var scheduled = attachRetries(engine);
        attachHistory(engine, scheduled);
        engine.restoreRetries();
        return engine;
    }

    /**
     * The durable history in the default store: runs a killed process left active become LOST, then
     * every change is kept. A store that cannot be opened costs the history, never the start.
     */
    private void attachHistory(LocalEngine engine, java.util.Set<String> scheduledRetries) {
        var file = dev.tether.store.TetherDatabase.defaultFile();
        try {
            var h = dev.tether.store.RunHistory.open(file, historyKeep);
            try {
                try {
                    for (var lost : h.recoverLost(engine.registry(), scheduledRetries)) engine.ended(lost.runId());
                } catch (dev.tether.store.StoreException e) { // not open yet (a full disk): the watch below looks again
                    log().warn("runs left by killed processes are looked for again every {} s: {}",
                            dev.tether.store.RunHistory.LOST_CHECK_EVERY.toSeconds(), e.getMessage());
                }
                h.attach(engine.registry());
                // a process that was still alive a moment ago (or not yet reaped) may die later: look again
                h.watchLost(engine.registry(), dev.tether.store.RunHistory.LOST_CHECK_EVERY, lost -> engine.ended(lost.runId()));
            } catch (RuntimeException e) {
                h.close(Duration.ZERO);
                throw e;
            }
            engine.archive(h);
            engine.journal(h);
            engine.historySource(h);
            synchronized (this) {
                history = h;
            }
        } catch (RuntimeException e) {
            log().warn("running without durable history (finished runs will not outlive this process): {}", e.getMessage());
        }
    }

    /**
     * Retries scheduled by a previous process (or this one) are kept in the default store, so that one
     * waiting out its backoff survives a restart; returns their run ids (the history leaves them alone).
     * A store that cannot be opened costs that durability, never the start.
     */
    private java.util.Set<String> attachRetries(LocalEngine engine) {
        try {
            var schedule = dev.tether.store.SqliteRetrySchedule.open(dev.tether.store.TetherDatabase.defaultFile());
            engine.retrySchedule(schedule);
            synchronized (this) {
                retries = schedule;
            }
            return schedule.pending().stream().map(dev.tether.engine.RunRequest::runId).collect(java.util.stream.Collectors.toSet());
        } catch (RuntimeException e) {
            log().warn("scheduled retries will not outlive this process: {}", e.getMessage());
            return java.util.Set.of();
        }
    }

    private dev.tether.store.SqliteRetrySchedule retries;

    /** After the engine's shutdown: writes the history's last changes (bounded) and releases the store. Idempotent. */
    void closeHistory() {
        dev.tether.store.RunHistory h;
        synchronized (this) {
            h = history;
            history = null;
        }
        if (h != null) h.close(HISTORY_FLUSH);
        dev.tether.store.SqliteRetrySchedule r;
        synchronized (this) {
            r = retries;
            retries = null;
        }
        if (r != null) r.close();
    }
}
