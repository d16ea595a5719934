package dev.tether.bench;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.metrics.TetherMetrics;
import dev.tether.registry.RunRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the meters cost per node, measured so that a loaded, shared machine cannot fake it: one
 * engine, rounds alternating without and with the meters bound (JMX + Prometheus, as every
 * process runs), each round timing runs of a 1-node and a 101-node chain. Per-node cost = slope
 * between the two chains; the figure is the median over rounds of each kind, and the difference of
 * paired neighbouring rounds.
 *
 * <pre>mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.bench.MetricsOverheadBench [-Dbench.args="ROUNDS RUNS"]</pre>
 */
public final class MetricsOverheadBench {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        var one = BenchGraphs.chain(1);
        var many = BenchGraphs.chain(101);
        var engine = new LocalEngine(new EngineConfig(1, 1_000, Duration.ofSeconds(5), "bench", null, 10, 1_000, null),
                GraphCatalog.of(one, many), new RunRegistry(1_000));
        for (int i = 0; i < 3; i++) { // warm-up, both ways
            slope(engine, one.id(), many.id(), runs);
            try (var m = TetherMetrics.of(engine)) {
                slope(engine, one.id(), many.id(), runs);
            }
        }
        var off = new ArrayList<Double>();
        var on = new ArrayList<Double>();
        var paired = new ArrayList<Double>();
        for (int r = 0; r < rounds; r++) {
            double a = slope(engine, one.id(), many.id(), runs);
            double b;
            try (var m = TetherMetrics.of(engine)) {
                b = slope(engine, one.id(), many.id(), runs);
            }
            off.add(a);
            on.add(b);
            paired.add(b - a);
        }
        System.out.printf("metrics overhead bench: %d rounds x %d runs of each chain, alternating without and with meters%n", rounds, runs);
        System.out.printf("  engine per node, meters off: median %.2f µs (p10 %.2f, p90 %.2f)%n", q(off, .5), q(off, .1), q(off, .9));
        System.out.printf("  engine per node, meters on:  median %.2f µs (p10 %.2f, p90 %.2f)%n", q(on, .5), q(on, .1), q(on, .9));
        System.out.printf("  meters' cost per node (on - off, paired rounds): median %.2f µs (p10 %.2f, p90 %.2f)%n",
                q(paired, .5), q(paired, .1), q(paired, .9));
        engine.shutdown(Duration.ofSeconds(5));
        System.exit(0);
    }

    /** µs per node: (mean time of a 101-node run - mean time of a 1-node run) / 100. */
    private static double slope(LocalEngine engine, String one, String many, int runs) throws Exception {
        return (meanMicros(engine, many, runs) - meanMicros(engine, one, runs)) / 100;
    }

    private static double meanMicros(LocalEngine engine, String graph, int runs) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            var id = engine.submit(graph, null, Map.of()).runId();
            engine.awaitTerminal(id, Duration.ofSeconds(10)).orElseThrow();
        }
        return (System.nanoTime() - t0) / 1e3 / runs;
    }

    private static double q(List<Double> xs, double p) {
        var s = xs.stream().sorted().toList();
        return s.get(Math.min(s.size() - 1, (int) Math.floor(p * s.size())));
    }
}
