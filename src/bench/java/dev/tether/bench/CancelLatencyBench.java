package dev.tether.bench;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunStatus;
import org.HdrHistogram.Histogram;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.GraphInput;
import org.bsc.langgraph4j.RunnableConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Cancel latency, from the cancel call until the run is terminal and its thread free, for a node
 * blocked in a sleep and for a cooperative CPU node: the engine side by side with plain LangGraph4j
 * (iterator on its own thread + {@code cancel(true)}), on the same graphs. The sleeping node is
 * measured in pairs with the floor (a bare thread in a sleep, interrupted, until the interrupter sees
 * it end), one cancel of each in turn, and each cancel is split by where the woken thread ran.
 */
public final class CancelLatencyBench {

    record Row(String what, int samples, Histogram micros) {
        String line() {
            return "| %s | %,d | %s | %s | %s |".formatted(what, samples,
                    ms(micros.getValueAtPercentile(50)), ms(micros.getValueAtPercentile(99)), ms(micros.getMaxValue()));
        }

        static String ms(long micros) {
            return micros >= 100_000 ? "%,.0f ms".formatted(micros / 1000.0) : "%.3f ms".formatted(micros / 1000.0);
        }
    }

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        boolean engineOnly = args.length > 1 && args[1].equals("engine"); // skips plain LangGraph4j (for A/B runs)
        if (args.length > 1 && args[1].startsWith("breakdown")) {
            breakdown(samples, args[1].equals("breakdown-feed"));
            return;
        }
        var rows = new ArrayList<Row>();
        // The floor and the engine's sleeping node in pairs, one cancel of each in turn: both rows see
        // the same load of this shared machine (measured one after the other, they did not).
        var paired = paired(samples);
        rows.add(paired.floor());
        rows.add(paired.tether());
        rows.add(engine("Tether, cooperative CPU node (10 s of work)", BenchGraphs.cpu(10_000), samples));
        if (!engineOnly) {
            rows.add(plainConcurrent("plain LangGraph4j, node blocked in Thread.sleep(10 s)", BenchGraphs.sleeping(), samples));
            int cpuSamples = Math.min(samples, 10);
            rows.add(plainSequential("plain LangGraph4j, CPU node (2 s of work, cancel after 0.5 s)", BenchGraphs.cpu(2_000), cpuSamples));
        }
        System.out.println();
        System.out.println("| case | cancels | p50 | p99 | max |");
        System.out.println("|---|---:|---:|---:|---:|");
        rows.forEach(r -> System.out.println(r.line()));
        System.out.printf("%nTether's sleeping node against the floor of the same run: p50 %.1f×, p99 %.1f×%n",
                ratio(paired.tether(), paired.floor(), 50), ratio(paired.tether(), paired.floor(), 99));
        if (Cpu.known()) {
            System.out.println();
            System.out.println("Where the woken thread ran (the node's thread for Tether, the sleeper for the floor):");
            System.out.println();
            System.out.println("| case | cancels (share) | the end seen on another CPU too | p50 | p99 | max |");
            System.out.println("|---|---:|---:|---:|---:|---:|");
            for (var split : paired.splits()) System.out.println(split.line());
        }
    }

    private static double ratio(Row a, Row b, double percentile) {
        return (double) a.micros().getValueAtPercentile(percentile) / Math.max(1, b.micros().getValueAtPercentile(percentile));
    }

    record Split(String what, Histogram micros, int total, int secondHopCrossed) {
        String line() {
            long n = micros.getTotalCount();
            return "| %s | %,d (%.0f %%) | %,d | %s | %s | %s |".formatted(what, n, 100.0 * n / Math.max(1, total), secondHopCrossed,
                    Row.ms(micros.getValueAtPercentile(50)), Row.ms(micros.getValueAtPercentile(99)), Row.ms(micros.getMaxValue()));
        }
    }

    record Paired(Row floor, Row tether, List<Split> splits) {}

    /**
     * The floor and Tether's sleeping node, one cancel of each in turn on a one-slot engine, so that
     * both see the same moments of the machine's load. Each cancel also notes on which CPU the woken
     * thread ran and on which the waiting one saw the end: a wake-up on another CPU than the waker's
     * costs more (on this kind of virtual machine an idle virtual CPU halts and must be woken through
     * the host), and the two rows differ in how often they take it.
     */
    static Paired paired(int samples) throws Exception {
        var graph = BenchGraphs.sleeping();
        var registry = new RunRegistry(samples + 10);
        var recordedCpu = new int[]{-1};
        registry.watch(change -> { // on the run's thread, as it records the run CANCELLED
            if (change.after() != null && change.after().status() == RunStatus.CANCELLED) recordedCpu[0] = Cpu.now();
        });
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1), GraphCatalog.of(graph), registry);
        var floor = new Histogram(3);
        var tether = new Histogram(3);
        var floorSame = new Histogram(3);
        var floorOther = new Histogram(3);
        var tetherSame = new Histogram(3);
        var tetherOther = new Histogram(3);
        int[] crossed = new int[4];
        int warmUp = 500; // not counted: the JIT's first compilations of both paths
        try {
            for (int i = 0; i < samples + warmUp; i++) {
                // the floor: a bare thread in Thread.sleep, interrupted, until the interrupter sees it end
                var sleeping = new CountDownLatch(1);
                var sleeperCpu = new int[]{-1};
                var t = Thread.ofPlatform().daemon().start(() -> {
                    sleeping.countDown();
                    try {
                        Thread.sleep(10_000);
                    } catch (InterruptedException e) {
                        sleeperCpu[0] = Cpu.now(); // as the engine's node does (BenchGraphs)
                    }
                });
                sleeping.await();
                Thread.sleep(0, 200_000); // inside the sleep, as in the engine's case
                int f0 = Cpu.now();
                long ft0 = System.nanoTime();
                t.interrupt();
                t.join();
                long floorMicros = (System.nanoTime() - ft0) / 1_000;
                int f1 = Cpu.now();

                // Tether: submit, wait until inside the slow node, cancel, time until awaitTerminal returns
                var entered = new CountDownLatch(1);
                BenchGraphs.ENTERED.set(entered);
                var id = engine.submit(graph.id(), null, Map.of()).runId();
                if (!entered.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("run did not reach its slow node");
                Thread.sleep(0, 200_000);
                int c0 = Cpu.now();
                long t0 = System.nanoTime();
                engine.cancel(id);
                var end = engine.awaitTerminal(id, Duration.ofSeconds(30)).orElseThrow();
                long micros = (System.nanoTime() - t0) / 1_000;
                int c1 = Cpu.now();
                if (end.status() != RunStatus.CANCELLED) throw new IllegalStateException("expected CANCELLED: " + end);
                if (i < warmUp) continue;
                floor.recordValue(floorMicros);
                tether.recordValue(micros);
                boolean floorSameCpu = sleeperCpu[0] == f0;
                (floorSameCpu ? floorSame : floorOther).recordValue(floorMicros);
                if (f1 != sleeperCpu[0]) crossed[floorSameCpu ? 0 : 1]++;
                boolean tetherSameCpu = BenchGraphs.wokeCpu == c0;
                (tetherSameCpu ? tetherSame : tetherOther).recordValue(micros);
                if (c1 != recordedCpu[0]) crossed[tetherSameCpu ? 2 : 3]++;
            }
        } finally {
            engine.shutdown(Duration.ofSeconds(10));
        }
        var floorRow = new Row("floor: bare thread in Thread.sleep(10 s), interrupted, until the interrupter sees it end (paired)", samples, floor);
        var tetherRow = new Row("Tether, node blocked in Thread.sleep(10 s) (paired with the floor)", samples, tether);
        report(floorRow.what(), floor);
        report(tetherRow.what(), tether);
        var splits = List.of(
                new Split("floor, sleeper woken on the interrupter's CPU", floorSame, samples, crossed[0]),
                new Split("floor, sleeper woken on the other CPU", floorOther, samples, crossed[1]),
                new Split("Tether, node's thread woken on the canceller's CPU", tetherSame, samples, crossed[2]),
                new Split("Tether, node's thread woken on the other CPU", tetherOther, samples, crossed[3]));
        return new Paired(floorRow, tetherRow, splits);
    }

    /** Sequential runs on a one-slot engine: submit, wait until inside the slow node, cancel, time to terminal. */
    static Row engine(String what, GraphDefinition graph, int samples) throws Exception {
        var registry = new RunRegistry(samples + 10);
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1), GraphCatalog.of(graph), registry);
        var histogram = new Histogram(3);
        try {
            for (int i = 0; i < samples + 50; i++) { // the first 50 warm the JIT and are not counted
                var entered = new CountDownLatch(1);
                BenchGraphs.ENTERED.set(entered);
                var id = engine.submit(graph.id(), null, Map.of()).runId();
                if (!entered.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("run did not reach its slow node");
                Thread.sleep(0, 200_000); // be inside the sleep / the loop
                long t0 = System.nanoTime();
                engine.cancel(id);
                var end = engine.awaitTerminal(id, Duration.ofSeconds(30)).orElseThrow();
                long micros = (System.nanoTime() - t0) / 1_000;
                if (end.status() != RunStatus.CANCELLED) throw new IllegalStateException("expected CANCELLED: " + end);
                if (i >= 50) histogram.recordValue(micros);
            }
        } finally {
            engine.shutdown(Duration.ofSeconds(10));
        }
        report(what, histogram);
        return new Row(what, samples, histogram);
    }

    /**
     * Where a sleeping node's cancel spends its time, each stage's percentiles over the same cancels:
     * the cancel call itself (registry, token, interrupt, grace watch), the node waking from its sleep,
     * the run recorded CANCELLED (LangGraph4j unwinding, the engine's end of the run), and the waiting
     * caller seeing the end. With {@code feed}, a registry subscriber is attached, as in the console and serve.
     */
    static void breakdown(int samples, boolean feed) throws Exception {
        var graph = BenchGraphs.sleeping();
        var registry = new RunRegistry(samples + 10);
        // the registry feed as the console and serve have it (a subscriber woken by every change: the history writer, the UI pump)
        var subscriber = feed ? registry.subscribe(batch -> { }) : null;
        var cancelledAt = new long[1];
        registry.watch(change -> {
            if (change.after() != null && change.after().status() == RunStatus.CANCELLED) cancelledAt[0] = System.nanoTime();
        });
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1), GraphCatalog.of(graph), registry);
        var call = new Histogram(3);
        var woke = new Histogram(3);
        var recorded = new Histogram(3);
        var seen = new Histogram(3);
        var total = new Histogram(3);
        var withoutGc = new Histogram(3);
        int gcHit = 0;
        long gcBefore = gcCount();
        try {
            for (int i = 0; i < samples + 50; i++) {
                var entered = new CountDownLatch(1);
                BenchGraphs.ENTERED.set(entered);
                var id = engine.submit(graph.id(), null, Map.of()).runId();
                if (!entered.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("run did not reach its slow node");
                Thread.sleep(0, 200_000);
                long gc0 = gcCount();
                long t0 = System.nanoTime();
                engine.cancel(id);
                long t1 = System.nanoTime();
                engine.awaitTerminal(id, Duration.ofSeconds(30)).orElseThrow();
                long t4 = System.nanoTime();
                long t2 = BenchGraphs.wokeNanos, t3 = cancelledAt[0];
                if (i < 50) continue;
                if (gcCount() != gc0) gcHit++;
                else withoutGc.recordValue((t4 - t0) / 1_000);
                call.recordValue((t1 - t0) / 1_000);
                woke.recordValue(Math.max(0, t2 - t0) / 1_000);
                recorded.recordValue(Math.max(0, t3 - t2) / 1_000);
                seen.recordValue(Math.max(0, t4 - t3) / 1_000);
                total.recordValue((t4 - t0) / 1_000);
            }
        } finally {
            engine.shutdown(Duration.ofSeconds(10));
            if (subscriber != null) subscriber.close();
        }
        long gcs = gcCount() - gcBefore;
        var floor = floor("floor", samples);
        System.out.printf("%d garbage collections during the %d cancels (and their runs); %d cancels had one inside them%n",
                gcs, samples, gcHit);
        System.out.println();
        System.out.println("| stage | p50 | p99 | max |");
        System.out.println("|---|---:|---:|---:|");
        for (var row : List.of(Map.entry("cancel call returns (registry, token, interrupt, grace watch)", call),
                Map.entry("cancel call to node woken from its sleep", woke),
                Map.entry("node woken to run recorded CANCELLED", recorded),
                Map.entry("recorded CANCELLED to the caller seeing the end", seen),
                Map.entry("whole cancel (the Tether row)", total),
                Map.entry("whole cancel, the cancels without a collection inside", withoutGc),
                Map.entry("floor (same run)", floor.micros()))) {
            var h = row.getValue();
            System.out.println("| %s | %s | %s | %s |".formatted(row.getKey(), Row.ms(h.getValueAtPercentile(50)),
                    Row.ms(h.getValueAtPercentile(99)), Row.ms(h.getMaxValue())));
        }
    }

    private static long gcCount() {
        long n = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) n += Math.max(0, gc.getCollectionCount());
        return n;
    }

    /**
     * The floor under any cancel of a sleeping node: a platform thread blocked in {@code Thread.sleep},
     * interrupted, timed until the interrupting thread sees it end ({@code join} returns): one wake-up of
     * the sleeper, one of the interrupter, nothing else. Sequential, as the engine's cases are.
     */
    static Row floor(String what, int samples) throws Exception {
        var histogram = new Histogram(3);
        for (int i = 0; i < samples + 50; i++) {
            var sleeping = new CountDownLatch(1);
            var t = Thread.ofPlatform().daemon().start(() -> {
                sleeping.countDown();
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    // the end it was asked for
                }
            });
            sleeping.await();
            Thread.sleep(0, 200_000); // inside the sleep, as in the engine's case
            long t0 = System.nanoTime();
            t.interrupt();
            t.join();
            long micros = (System.nanoTime() - t0) / 1_000;
            if (i >= 50) histogram.recordValue(micros);
        }
        report(what, histogram);
        return new Row(what, samples, histogram);
    }

    /** All runs at once, each on its own thread, cancelled together once all are inside the slow node. */
    static Row plainConcurrent(String what, GraphDefinition graph, int samples) throws Exception {
        CompiledGraph<?> compiled = graph.build().compile();
        var entered = new CountDownLatch(samples);
        BenchGraphs.ENTERED.set(entered);
        var generators = new ArrayList<org.bsc.async.AsyncGenerator.Cancellable<?>>();
        var ended = new long[samples];
        var threads = new ArrayList<Thread>();
        var ready = new CountDownLatch(samples);
        for (int i = 0; i < samples; i++) {
            var gen = compiled.stream(GraphInput.args(Map.of()), RunnableConfig.builder().threadId("p" + i).build());
            generators.add(gen);
            int k = i;
            threads.add(Thread.ofPlatform().daemon().start(() -> {
                ready.countDown();
                for (var ignored : gen) { /* drive the graph */ }
                ended[k] = System.nanoTime();
            }));
        }
        if (!entered.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("plain runs did not all start");
        Thread.sleep(200);
        var started = new long[samples];
        for (int i = 0; i < samples; i++) {
            started[i] = System.nanoTime();
            generators.get(i).cancel(true);
        }
        for (var t : threads) t.join();
        var histogram = new Histogram(3);
        for (int i = 0; i < samples; i++) histogram.recordValue((ended[i] - started[i]) / 1_000);
        report(what, histogram);
        return new Row(what, samples, histogram);
    }

    /** One at a time (CPU-bound runs in parallel would only measure the machine's two cores). */
    static Row plainSequential(String what, GraphDefinition graph, int samples) throws Exception {
        CompiledGraph<?> compiled = graph.build().compile();
        var histogram = new Histogram(3);
        for (int i = 0; i < samples; i++) {
            var entered = new CountDownLatch(1);
            BenchGraphs.ENTERED.set(entered);
            var gen = compiled.stream(GraphInput.args(Map.of()), RunnableConfig.builder().threadId("s" + i).build());
            var end = new long[1];
            var t = Thread.ofPlatform().daemon().start(() -> {
                for (var ignored : gen) { /* drive */ }
                end[0] = System.nanoTime();
            });
            entered.await();
            Thread.sleep(500);
            long t0 = System.nanoTime();
            gen.cancel(true);
            t.join();
            histogram.recordValue((end[0] - t0) / 1_000);
        }
        report(what, histogram);
        return new Row(what, samples, histogram);
    }

    private static void report(String what, Histogram h) {
        System.out.printf("%-70s n=%,d p50=%s p99=%s max=%s%n", what, h.getTotalCount(),
                Row.ms(h.getValueAtPercentile(50)), Row.ms(h.getValueAtPercentile(99)), Row.ms(h.getMaxValue()));
    }

}
