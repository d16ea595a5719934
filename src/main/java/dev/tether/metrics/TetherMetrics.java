package dev.tether.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * A process's meters, in one place: recorded once through Micrometer, published twice — as MBeans
 * in the platform MBean server (domain {@value #JMX_DOMAIN}: VisualVM, JConsole) and as Prometheus
 * text ({@link #scrape()}, served at {@code /metrics}).
 */
public final class TetherMetrics implements AutoCloseable {
    public static final String JMX_DOMAIN = "tether";
    /** The content type of {@link #scrape()}: the Prometheus text format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final CompositeMeterRegistry meters = new CompositeMeterRegistry();
    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JmxMeterRegistry jmx;
    private final java.util.List<AutoCloseable> bindings = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Worker, graph, queue and node names come from Redis: their distinct values are capped (on both legs, before any meter exists). */
    private final TagCap cap = new TagCap(TagCap.DEFAULT_CAPS);
    /** How long the meters of a worker that left are kept: long enough for a scrape to see their last values. */
    public static final java.time.Duration GONE_WORKER_GRACE = java.time.Duration.ofMinutes(2);

    private TetherMetrics(boolean withJmx) {
        meters.config().meterFilter(cap);
        prometheus.config().meterFilter(cap);
        meters.add(prometheus);
        if (withJmx) {
            jmx = new JmxMeterRegistry(new JmxConfig() {
                @Override
                public String get(String key) {
                    return null;
                }

                @Override
                public String domain() {
                    return JMX_DOMAIN;
                }
            }, Clock.SYSTEM);
            meters.add(jmx);
        } else {
            jmx = null;
        }
    }

    /** Prometheus and JMX. */
    public static TetherMetrics create() {
        return new TetherMetrics(true);
    }

    /** Prometheus only (benchmarks, tests that make many). */
    public static TetherMetrics withoutJmx() {
        return new TetherMetrics(false);
    }

    /**
     * The meters of a console or {@code serve}: its runs (a Redis view's runs are its workers', mirrored
     * here) and its slots, plus its contact with Redis when it has one. JMX and Prometheus.
     */
    public static TetherMetrics of(dev.tether.engine.RunEngine engine) {
        return of(engine, GONE_WORKER_GRACE);
    }

    /**
     * As {@link #of(dev.tether.engine.RunEngine)}; on a live Redis view, the meters of a worker that
     * left (its heartbeat gone) go {@code goneWorkerGrace} after its last run change.
     */
    public static TetherMetrics of(dev.tether.engine.RunEngine engine, java.time.Duration goneWorkerGrace) {
        var m = create();
        String worker = engine instanceof dev.tether.engine.LocalEngine local ? local.config().workerName() : "none";
        var runs = RunMetrics.bind(m.registry(), m.nodeRegistry(), engine, worker, m.cap);
        m.bindings.add(runs);
        if (engine instanceof dev.tether.redis.RedisView view) {
            RedisMetrics.bind(m.registry(), view.health(), worker);
            m.bindings.add(view.onWorkersRead((live, readStarted) -> runs.retainWorkers(live, readStarted, goneWorkerGrace)));
        }
        return m;
    }

    /** The meters of a {@code tether worker}: its engine's runs and slots, and its contact with Redis. */
    public static TetherMetrics of(dev.tether.redis.RedisWorker worker, String name) {
        var m = create();
        m.bindings.add(RunMetrics.bind(m.registry(), m.nodeRegistry(), worker.engine(), name, m.cap));
        RedisMetrics.bind(m.registry(), worker.health(), name);
        return m;
    }

    /** Where binders record. */
    public MeterRegistry registry() {
        return meters;
    }

    /**
     * Where meters recorded once per node go: Prometheus only. The JMX leg (a decaying sample per
     * timer) costs several µs per record once there is a timer per node, more than the whole engine
     * spends on a node; per-run meters go to both.
     */
    public MeterRegistry nodeRegistry() {
        return prometheus;
    }

    /** Every meter now, in the Prometheus text format. */
    public String scrape() {
        return prometheus.scrape();
    }

    @Override
    public void close() {
        for (var b : bindings) {
            try {
                b.close();
            } catch (Exception ignored) {
                // a binding only stops listening
            }
        }
        if (jmx != null) jmx.close(); // unregisters the MBeans
        prometheus.close();
        meters.close();
    }
}
