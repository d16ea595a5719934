package dev.tether.cli;

import dev.tether.catalog.GraphCatalog;
import dev.tether.redis.RedisSettings;
import dev.tether.redis.RedisWorker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "worker", description = {"Execute runs from Redis queues (distributed mode).",
        "SIGINT/SIGTERM cancel this worker's runs, wait (--shutdown-timeout), publish their final state and leave."})
final class WorkerCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--redis", paramLabel = "URI", description = "Redis to take work from; default: $TETHER_REDIS_URL.")
    String redis;

    @Option(names = "--queues", split = ",", paramLabel = "QUEUE", description = "Queues to take runs from (default: every built-in graph's queue).")
    List<String> queues = new ArrayList<>();

    @Option(names = "--concurrency", paramLabel = "N", description = "Runs executing at once (default: ${DEFAULT-VALUE}).")
    int concurrency = 4;

    @Option(names = "--name", paramLabel = "NAME", description = "Worker name, unique among live workers (default: host-pid).")
    String name;

    @Option(names = "--cancel-grace", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long a cancelled node may ignore its cancel before the run is STUCK (default: 5s).")
    Duration cancelGrace = Duration.ofSeconds(5);

    @Option(names = "--finished-ttl", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long Redis keeps a finished run's record (default: 1d = 24h).")
    Duration finishedTtl = Duration.ofDays(1);

    @Option(names = "--lost-policy", paramLabel = "POLICY",
            description = "Jobs of a worker that stopped answering: REQUEUE (runs that never started go back on their queue; default) or LOSE (those are LOST too). Started runs are LOST either way.")
    dev.tether.redis.LostRunPolicy lostPolicy = dev.tether.redis.LostRunPolicy.REQUEUE;

    @Option(names = "--fence-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Cut off from Redis this long, the worker stops its runs itself (LOST); no node starts after 1.5s without contact (default: 10s).")
    Duration fenceTimeout; // null: RedisWorker's default, read when a worker starts (not when any command line loads the class)

    @Option(names = "--isolation", paramLabel = "MODE", converter = IsolationConverter.class,
            description = "Where runs execute: thread (default) or process (a child JVM each, which a kill can stop); isolation.properties overrides it per graph.")
    dev.tether.engine.Isolation isolation = dev.tether.engine.Isolation.THREAD;

    @Option(names = "--checkpoints", paramLabel = "STORE",
            description = "redis (default): a checkpoint after every node, in Redis, so a run can be resumed on any worker; off: none.")
    String checkpoints = "redis";

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "On SIGINT/SIGTERM: how long to wait for cancelled runs (default: 30s).")
    Duration shutdownTimeout = Duration.ofSeconds(30);

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve GET /metrics (Prometheus text) on 127.0.0.1:PORT (0: any free port), to requests with the bearer token in $"
                    + METRICS_TOKEN_ENV + ".")
    Integer metricsPort;

    /** Where the worker's metrics token comes from: the environment, never an argument (others can read those). */
    static final String METRICS_TOKEN_ENV = "TETHER_METRICS_TOKEN";

    @Override
    public Integer call() throws Exception {
        var settings = RedisSettings.fromOptionOrEnv(redis);
        var metricsToken = System.getenv(METRICS_TOKEN_ENV);
        if (metricsPort != null) {
            if (metricsPort < 0 || metricsPort > 65535) throw new IllegalArgumentException("--metrics-port must be 0 to 65535");
            if (metricsToken == null || metricsToken.isBlank()) {
                throw new IllegalArgumentException("--metrics-port needs a token in $" + METRICS_TOKEN_ENV + " (scrapers send it as a bearer token)");
            }
            metricsToken = dev.tether.control.MetricsToken.check(metricsToken, "$" + METRICS_TOKEN_ENV);
        }
        if (settings == null) throw new IllegalArgumentException("worker needs --redis URI or TETHER_REDIS_URL");
        if (concurrency < 1) throw new IllegalArgumentException("--concurrency must be at least 1");
        var catalog = GraphCatalog.load(GraphCatalog.defaultPluginsDir());
        var qs = queues.isEmpty() ? catalog.all().stream().map(g -> g.defaultQueue()).distinct().toList() : queues;
        for (var q : qs) dev.tether.engine.QueueNames.requireValid(q);
        // the default is made valid (a host name may hold anything); a name given must be valid as given
        var workerName = name != null ? dev.tether.engine.Names.require("worker name", name)
                : dev.tether.engine.Names.sanitize(hostName() + "-" + ProcessHandle.current().pid());
        if (finishedTtl.toSeconds() < 1) throw new IllegalArgumentException("--finished-ttl must be at least 1s");
        var options = new RedisWorker.Options(workerName, qs, concurrency, cancelGrace, finishedTtl, lostPolicy,
                fenceTimeout == null ? RedisWorker.DEFAULT_FENCE_TIMEOUT : fenceTimeout,
                EngineOptions.isolationPolicy(isolation), checkpointsOn());
        var worker = RedisWorker.start(settings, options, catalog);
        var metrics = dev.tether.metrics.TetherMetrics.of(worker, workerName);
        dev.tether.control.ControlServer metricsServer = null;
        if (metricsPort != null) {
            try {
                metricsServer = dev.tether.control.ControlServer.metricsOnly(metricsPort, metricsToken, metrics::scrape);
            } catch (java.io.IOException e) {
                worker.shutdown(Duration.ZERO);
                throw new IllegalArgumentException("cannot serve metrics on 127.0.0.1:" + metricsPort + ": " + e.getMessage(), e);
            }
        }
        var endpoint = metricsServer;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.shutdown(shutdownTimeout, dev.tether.run.CancelOrigin.SIGNAL);
            if (endpoint != null) endpoint.close();
            metrics.close();
        }, "tether-worker-shutdown"));
        var out = spec.commandLine().getOut();
        out.println("tether worker '" + workerName + "' on " + settings.display() + ": queues " + String.join(",", qs) + ", "
                + concurrency + " slots" + (endpoint == null ? "" : ", metrics http://127.0.0.1:" + endpoint.port() + "/metrics")
                + "; stop with Ctrl+C or SIGTERM");
        out.flush();
        new CountDownLatch(1).await();
        return ExitCodes.OK;
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "worker";
        }
    }

    private boolean checkpointsOn() {
        return switch (checkpoints.toLowerCase(java.util.Locale.ROOT)) {
            case "redis" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException("--checkpoints must be redis or off, not '" + checkpoints + "'");
        };
    }
}
