package dev.tether.console;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.HdrHistogram.Histogram;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The console under load: 10,000 active runs whose runtimes tick, and a generator applying registry
 * events at a target rate (default 100,000/s) to random runs. Reports, per second of the measured
 * window, the CPU share of the JavaFX application thread (and of the renderer thread), and the
 * delay from a state change to the pulse that applies it to its row (sampled runs).
 *
 * <pre>mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.console.ConsoleBench [-Dbench.args="10000 100000 15"]</pre>
 * Run under a display (Xvfb) for the real toolkit, or with the headless Monocle properties.
 */
public final class ConsoleBench {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        // none: no meters (as before issue 14); metrics: the console's meters bound (the default, as the
        // console runs now); metrics-tab: and the Metrics tab shown instead of Active
        var mode = args.length > 3 ? args[3] : "metrics";
        int warmup = 5;

        var registry = new RunRegistry(runs * 2);
        var engine = new LocalEngine(EngineConfig.defaults(), GraphCatalog.load(null), registry);
        var metrics = mode.equals("none") ? null : dev.tether.metrics.TetherMetrics.of(engine);
        var ids = new String[runs];
        for (int i = 0; i < runs; i++) {
            ids[i] = "bench-" + i;
            registry.apply(new RunEvent.Submitted(ids[i], "book-workflow", "ai_processing", Map.of(), Instant.now()));
            registry.apply(new RunEvent.Started(ids[i], "local", Instant.now()));
        }

        // sampled runs: when their oldest change not yet shown happened
        var pendingSince = new ConcurrentHashMap<String, Long>();
        var delays = new Histogram(60_000_000_000L, 3);
        var sampled = new boolean[runs];
        for (int i = 0; i < runs; i += 50) sampled[i] = true;
        var measuring = new java.util.concurrent.atomic.AtomicBoolean();

        var started = new CountDownLatch(1);
        Platform.startup(started::countDown);
        started.await();
        var fxThread = new AtomicLong();
        var shown = new CountDownLatch(1);
        Platform.runLater(() -> {
            fxThread.set(Thread.currentThread().threadId());
            var window = new ConsoleWindow(engine, ConsoleOptions.defaults());
            window.show(new Stage());
            if (mode.equals("metrics-tab")) window.controller().tabs.getSelectionModel().select(window.controller().metricsTab);
            window.pump().probe((batch, now) -> {
                for (var s : batch) {
                    var since = pendingSince.get(s.runId());
                    // a change made while this batch was applied is not in it: it stays pending for the next
                    if (since == null || since > now || !pendingSince.remove(s.runId(), since)) continue;
                    if (measuring.get()) delays.recordValue(now - since);
                }
            });
            shown.countDown();
        });
        shown.await();

        var applied = new AtomicLong();
        var generator = Thread.ofPlatform().name("bench-generator").daemon().start(() -> {
            var rnd = ThreadLocalRandom.current();
            var inNode = new boolean[runs];
            long next = System.nanoTime();
            int perSlice = Math.max(1, rate / 200); // 5 ms slices
            while (!Thread.currentThread().isInterrupted()) {
                for (int k = 0; k < perSlice; k++) {
                    int i = rnd.nextInt(runs);
                    var now = Instant.now();
                    RunEvent e = inNode[i] ? new RunEvent.NodeFinished(ids[i], "node", true, now)
                            : new RunEvent.NodeStarted(ids[i], "node", now);
                    inNode[i] = !inNode[i];
                    if (sampled[i]) pendingSince.putIfAbsent(ids[i], System.nanoTime());
                    registry.apply(e);
                }
                applied.addAndGet(perSlice);
                next += 5_000_000L;
                long wait = next - System.nanoTime();
                if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        });

        var mx = ManagementFactory.getThreadMXBean();
        long renderer = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("QuantumRenderer"))
                .mapToLong(Thread::threadId).findFirst().orElse(-1);
        Thread.sleep(warmup * 1000L);
        measuring.set(true);
        var fxShares = new ArrayList<Double>();
        var renderShares = new ArrayList<Double>();
        long events0 = applied.get();
        long t0 = System.nanoTime();
        for (int s = 0; s < seconds; s++) {
            long fx0 = mx.getThreadCpuTime(fxThread.get()), r0 = renderer < 0 ? 0 : mx.getThreadCpuTime(renderer);
            long w0 = System.nanoTime();
            Thread.sleep(1000);
            long wall = System.nanoTime() - w0;
            fxShares.add((mx.getThreadCpuTime(fxThread.get()) - fx0) / (double) wall);
            if (renderer >= 0) renderShares.add((mx.getThreadCpuTime(renderer) - r0) / (double) wall);
        }
        double eventsPerSecond = (applied.get() - events0) / ((System.nanoTime() - t0) / 1e9);
        generator.interrupt();

        System.out.printf("console bench (%s): %,d active rows, events applied %,.0f/s (target %,d/s), %d s measured, prism=%s, glass=%s%n",
                mode, runs, eventsPerSecond, rate, seconds, System.getProperty("prism.order", "default"),
                System.getProperty("glass.platform", "default"));
        System.out.printf("  FX application thread busy: mean %.1f%%, max %.1f%% of one core; per second: %s%n", mean(fxShares) * 100, max(fxShares) * 100,
                fxShares.stream().map(x -> String.format("%.0f", x * 100)).toList());
        if (!renderShares.isEmpty())
            System.out.printf("  renderer thread busy:       mean %.1f%%, max %.1f%% of one core%n", mean(renderShares) * 100, max(renderShares) * 100);
        System.out.printf("  change -> row applied: p50 %.1f ms, p99 %.1f ms, max %.1f ms (%,d samples)%n",
                delays.getValueAtPercentile(50) / 1e6, delays.getValueAtPercentile(99) / 1e6, delays.getMaxValue() / 1e6,
                delays.getTotalCount());
        engine.shutdown(java.time.Duration.ofSeconds(1));
        if (metrics != null) metrics.close();
        System.exit(0);
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
