package dev.tether.metrics;

import dev.tether.engine.RunEngine;
import dev.tether.registry.ApplyResult;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records the meters of runs from the registry's changes (so they move wherever a run executes: on
 * a thread, in a child JVM, on a Redis worker mirrored here) and reads the engine's slots. Every
 * change is seen under its run's lock: recording is a cached meter's increment, never a lookup by
 * name and tags after the first time.
 *
 * <p>Names as Micrometer spells them (Prometheus: dots become underscores, counters end in
 * {@code _total}, timers in {@code _seconds}); see README "Metrics".
 */
public final class RunMetrics implements AutoCloseable {
    /** Timers publish these percentiles, and a histogram of buckets for server-side ones. */
    private static final double[] PERCENTILES = {0.5, 0.95, 0.99};
    private static final List<RunStatus> ACTIVE = List.of(RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.CANCELLING);

    private final MeterRegistry meters;
    /** Where the per-node timers go (see {@link TetherMetrics#nodeRegistry()}). */
    private final MeterRegistry nodeMeters;
    private final RunEngine engine;
    private final String defaultWorker;
    private final ConcurrentHashMap<Key, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Timer> timers = new ConcurrentHashMap<>();
    private final Set<String> queues = ConcurrentHashMap.newKeySet();
    /** The cap on both registries, told when a worker's meters go (null: nothing is ever removed). */
    private final TagCap cap;
    /** System.nanoTime() when each other worker last had a run change here or was seen alive. */
    private final ConcurrentHashMap<String, Long> workerSeen = new ConcurrentHashMap<>();
    private final AutoCloseable watch;

    /**
     * Every run counter and its description (Prometheus HELP). A counter is made only through this
     * table, so none can be published without one.
     */
    static final java.util.Map<String, String> COUNTERS = java.util.Map.of(
            "tether.runs.submitted", "Runs submitted (accepted into a queue)",
            "tether.runs.started", "Runs that started executing",
            "tether.runs.completed", "Runs that ran to their end",
            "tether.runs.failed", "Runs that ended FAILED (a node threw)",
            "tether.runs.cancelled", "Runs that ended CANCELLED, by the stop level asked (after-node, cancel, kill) and who asked (origin)",
            "tether.runs.forced", "Cancelled runs stopped by destroying their process (kill level, or a grace run out in process isolation)",
            "tether.runs.stuck", "Runs that ignored their cancel past the grace period (STUCK)",
            "tether.runs.lost", "Runs whose worker or process vanished (LOST)",
            "tether.runs.retried", "Runs submitted again by their retry policy after a failure (each attempt is a run of its own)");

    /** One meter's name and tag values, in a fixed order per name. */
    private record Key(String name, String a, String b, String c, String d, String e) {
        // Written out: a record's own equals and hashCode go through method handles, which the C1-only JIT
        // of workers does not inline (4 % of a busy worker's CPU in a profile, for a lookup per run change).
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && name.equals(k.name) && java.util.Objects.equals(a, k.a) && java.util.Objects.equals(b, k.b)
                    && java.util.Objects.equals(c, k.c) && java.util.Objects.equals(d, k.d) && java.util.Objects.equals(e, k.e);
        }

        @Override
        public int hashCode() {
            int h = name.hashCode(); // no varargs array: this runs on every change of every run
            h = 31 * h + java.util.Objects.hashCode(a);
            h = 31 * h + java.util.Objects.hashCode(b);
            h = 31 * h + java.util.Objects.hashCode(c);
            h = 31 * h + java.util.Objects.hashCode(d);
            return 31 * h + java.util.Objects.hashCode(e);
        }
    }

    private RunMetrics(MeterRegistry meters, MeterRegistry nodeMeters, RunEngine engine, String defaultWorker, TagCap cap) {
        this.cap = cap;
        this.meters = meters;
        this.nodeMeters = nodeMeters;
        this.engine = engine;
        this.defaultWorker = defaultWorker;
        for (var status : ACTIVE) {
            // a console over Redis holds the first queued runs only: the ones it does not hold count too
            Gauge.builder("tether.runs.active", engine, e -> e.registry().count(status) + (status == RunStatus.QUEUED ? e.queuedNotShown() : 0))
                    .description("Runs in this state now").tag("status", status.name()).register(meters);
        }
        Gauge.builder("tether.slots.busy", engine, e -> e.stats().busy())
                .description("Slots executing a run now").tag("worker", defaultWorker).register(meters);
        Gauge.builder("tether.slots.capacity", engine, e -> e.stats().capacity())
                .description("Slots that can execute a run").tag("worker", defaultWorker).register(meters);
        for (var run : engine.registry().active()) queue(run.queue());
        this.watch = engine.registry().watch(this::changed);
    }

    /**
     * Starts recording.
     *
     * @param worker the worker name for runs not yet on a worker and for the slot gauges: this
     *               process's worker, or {@code "none"} for a view of remote workers
     */
    public static RunMetrics bind(MeterRegistry meters, RunEngine engine, String worker) {
        return bind(meters, meters, engine, worker);
    }

    /** As {@link #bind(MeterRegistry, RunEngine, String)}, the per-node timers in {@code nodeMeters}. */
    public static RunMetrics bind(MeterRegistry meters, MeterRegistry nodeMeters, RunEngine engine, String worker) {
        return bind(meters, nodeMeters, engine, worker, null);
    }

    /** As above; {@code cap} is the {@link TagCap} both registries filter with, given back room by {@link #retainWorkers}. */
    static RunMetrics bind(MeterRegistry meters, MeterRegistry nodeMeters, RunEngine engine, String worker, TagCap cap) {
        return new RunMetrics(meters, nodeMeters, engine, worker == null ? "none" : worker, cap);
    }

    /**
     * Removes the meters of every worker that is gone: not in {@code live} (the workers whose
     * heartbeat a read that began at {@code readStartedNanos} found) and with no run changing here
     * for {@code grace} before that read. A worker joins before it takes a run, so a meter made
     * before the read belongs to a worker the read would have found unless it left. A late change
     * from a gone worker makes its meters again; the next call removes them.
     */
    public void retainWorkers(Set<String> live, long readStartedNanos, Duration grace) {
        for (var name : live) workerSeen.merge(name, readStartedNanos, Math::max);
        for (var e : workerSeen.entrySet()) {
            var name = e.getKey();
            // a change after the read began (a negative difference) is never old enough: the read proves nothing about it
            if (live.contains(name) || name.equals(defaultWorker) || readStartedNanos - e.getValue() < grace.toNanos()) continue;
            forget(name);
        }
    }

    /** Every meter tagged with worker {@code name}, and its room under the cap. */
    private void forget(String name) {
        workerSeen.remove(name);
        counters.keySet().removeIf(k -> name.equals(k.c()));
        timers.keySet().removeIf(k -> name.equals(k.c()));
        for (var registry : nodeMeters == meters ? List.of(meters) : List.of(meters, nodeMeters)) {
            for (var meter : List.copyOf(registry.getMeters())) {
                if (name.equals(meter.getId().getTag("worker"))) registry.remove(meter);
            }
        }
        if (cap != null) cap.release("worker", name);
    }

    private void changed(ApplyResult change) {
        var before = change.before();
        var after = change.after();
        if (before == null) {
            queue(after.queue());
            count("tether.runs.submitted", after, null);
            if (after.retry() != null) count("tether.runs.retried", after, null);
        }
        var was = before == null ? null : before.status();
        var now = after.status();
        if (now == RunStatus.RUNNING && (was == null || was == RunStatus.QUEUED)) count("tether.runs.started", after, null);
        if (change.event() instanceof RunEvent.NodeFinished n) node(after, n);
        if (now == was || !now.isTerminal()) return;
        switch (now) {
            case COMPLETED -> count("tether.runs.completed", after, null);
            case FAILED -> count("tether.runs.failed", after, null);
            case LOST -> count("tether.runs.lost", after, null);
            case STUCK -> count("tether.runs.stuck", after, null);
            case CANCELLED -> {
                count("tether.runs.cancelled", after, level(after), origin(after));
                if (after.forced()) count("tether.runs.forced", after, null);
                // a queued run stops at once: only runs that had started tell how long a stop takes
                if (after.startedAt() != null && after.cancelLatency() != null) {
                    timer("tether.cancel.latency", "Time from the cancel request until the run had stopped",
                            "level", after, level(after)).record(after.cancelLatency());
                }
            }
            default -> { }
        }
        if (after.startedAt() != null && after.endedAt() != null) {
            timer("tether.run.duration", "Time from a run's start to its end", "status", after, now.name())
                    .record(after.runtime(after.endedAt()));
        }
    }

    private void node(RunSnapshot run, RunEvent.NodeFinished n) {
        var timeline = run.timeline();
        for (int i = timeline.size() - 1; i >= 0; i--) {
            var span = timeline.get(i);
            if (span.endedAt() != null && span.node().equals(n.node())) {
                var key = new Key("tether.node.duration", run.graphId(), n.node(), worker(run), null, null);
                timers.computeIfAbsent(key, k -> buckets(Timer.builder(k.name()))
                        .description("Time one node took").tag("graph", k.a()).tag("node", k.b()).tag("worker", k.c())
                        .register(nodeMeters)).record(Duration.between(span.startedAt(), span.endedAt()));
                return;
            }
        }
    }

    private static String level(RunSnapshot run) {
        return run.stopLevel() == null ? "cancel" : run.stopLevel().label(); // a cancel that did not say its level is a plain cancel
    }

    /** Who or what asked for the stop, as a tag: console, cli, api, shutdown, signal, deadline, node_deadline, ...; unknown when not said. */
    private static String origin(RunSnapshot run) {
        return run.cancelOrigin() == null ? "unknown" : run.cancelOrigin().name().toLowerCase(java.util.Locale.ROOT);
    }

    private String worker(RunSnapshot run) {
        if (run.worker() == null || run.worker().equals(defaultWorker)) return defaultWorker;
        workerSeen.put(run.worker(), System.nanoTime());
        return run.worker();
    }

    private void count(String name, RunSnapshot run, String level) {
        count(name, run, level, null);
    }

    private void count(String name, RunSnapshot run, String level, String origin) {
        var key = new Key(name, run.graphId(), run.queue(), worker(run), level, origin);
        counters.computeIfAbsent(key, k -> {
            var description = java.util.Objects.requireNonNull(COUNTERS.get(k.name()), () -> "no description for " + k.name());
            var b = Counter.builder(k.name()).description(description).tag("graph", k.a()).tag("queue", k.b()).tag("worker", k.c());
            if (k.d() != null) b.tag("level", k.d());
            if (k.e() != null) b.tag("origin", k.e());
            return b.register(meters);
        }).increment();
    }

    private Timer timer(String name, String description, String tag, RunSnapshot run, String value) {
        var key = new Key(name, run.graphId(), run.queue(), worker(run), value, null);
        return timers.computeIfAbsent(key, k -> percentiles(Timer.builder(k.name())).description(description)
                .tag("graph", k.a()).tag("queue", k.b()).tag("worker", k.c()).tag(tag, k.d()).register(meters));
    }

    private static Timer.Builder percentiles(Timer.Builder b) {
        return buckets(b.publishPercentiles(PERCENTILES));
    }

    /**
     * Histogram buckets only: what node timers get. Client-side percentiles keep a large recorder per
     * timer, and with a timer per node that cost 15-30 µs per node (cache misses); buckets give
     * the same percentiles in Prometheus ({@code histogram_quantile}) for well under 1 µs.
     */
    private static Timer.Builder buckets(Timer.Builder b) {
        return b.publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofHours(1));
    }

    /**
     * The depth of each queue seen: its QUEUED runs now. Past the queue tag's cap the gauge would be
     * denied anyway (TagCap): the name is not kept either, so queue names from outside cannot grow this set.
     */
    private void queue(String queue) {
        if (queue == null || queues.contains(queue) || queues.size() >= TagCap.DEFAULT_CAPS.get("queue")) return;
        if (!queues.add(queue)) return;
        Gauge.builder("tether.queue.depth", engine, e -> e.registry().select(r -> r.status() == RunStatus.QUEUED && queue.equals(r.queue())).size())
                .description("Runs waiting in this queue").tag("queue", queue).register(meters);
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (Exception ignored) {
            // removing a listener does not fail
        }
    }
}
