package dev.tether.bench;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import org.bsc.langgraph4j.CompileConfig;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.checkpoint.MemorySaver;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's cost per node: one run of a chain of N trivial nodes through the engine (submit to
 * terminal) against a plain {@code invoke} of the same chain. The per-node overhead is the
 * difference of slopes between N=1 and N=101, so per-run costs (queue hand-off, thread wake-up)
 * cancel out.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class EngineOverheadBench {

    @Param({"1", "101"})
    int nodes;

    @Param({"false", "true"})
    boolean checkpoints;

    /** Whether the engine's meters are bound (JMX + Prometheus, as in the console, serve and workers). */
    @Param({"false", "true"})
    boolean metrics;

    /** Whether each run has a policy the engine checks per node: max-steps (never reached) and max-node-time (1 h). */
    @Param({"false", "true"})
    boolean limits;

    private static final dev.tether.run.RunPolicy LIMITS = dev.tether.run.RunPolicy.of(Map.of(
            "max-steps", "100000", "max-node-time", "1h", "max-runtime", "1h"));

    private dev.tether.metrics.TetherMetrics meters;

    private LocalEngine engine;
    private CompiledGraph<?> plain;
    private MemorySaver plainSaver;
    private final AtomicLong ids = new AtomicLong();
    private String graphId;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        var graph = BenchGraphs.chain(nodes);
        graphId = graph.id();
        var config = new EngineConfig(1, 1_000, Duration.ofSeconds(5), "bench", checkpoints ? new MemorySaver() : null, 10, 1_000, null);
        engine = new LocalEngine(config, GraphCatalog.of(graph), new RunRegistry(1_000));
        if (metrics) meters = dev.tether.metrics.TetherMetrics.of(engine);
        var compile = CompileConfig.builder().recursionLimit(1_000);
        if (checkpoints) {
            plainSaver = new MemorySaver();
            compile.checkpointSaver(plainSaver);
        }
        plain = graph.build().compile(compile.build());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.shutdown(Duration.ofSeconds(5));
        if (meters != null) meters.close();
    }

    @Benchmark
    public Object plainInvoke() throws Exception {
        if (!checkpoints) return plain.invoke(Map.of());
        var cfg = RunnableConfig.builder().threadId("p" + ids.incrementAndGet()).build();
        var out = plain.invoke(Map.of(), cfg);
        plainSaver.release(cfg); // the engine releases a completed run's checkpoints too
        return out;
    }

    @Benchmark
    public Object engineRun() throws Exception {
        var id = engine.submit(graphId, null, Map.of(), limits ? LIMITS : null).runId();
        return engine.awaitTerminal(id, Duration.ofSeconds(10)).orElseThrow();
    }

    /** Runs the benchmark and prints the per-node overhead it implies. */
    public static void main(String[] args) throws Exception {
        // arguments NAME=VALUE narrow a parameter (e.g. checkpoints=false), to spend the time on the cases asked for
        var options = new OptionsBuilder().include(EngineOverheadBench.class.getSimpleName());
        for (var a : args) {
            var kv = a.split("=", 2);
            options.param(kv[0], kv[1].split(","));
        }
        var results = new Runner(options.build()).run();
        Map<String, Double> us = new HashMap<>();
        for (RunResult r : results) {
            var p = r.getParams();
            us.put(p.getBenchmark().replaceAll(".*\\.", "") + "/" + p.getParam("nodes") + "/" + p.getParam("checkpoints") + "/" + p.getParam("metrics")
                    + "/" + p.getParam("limits"), r.getPrimaryResult().getScore());
        }
        System.out.println();
        System.out.println("| checkpoints | metrics | run policy | plain invoke, 1 node | plain, 101 nodes | engine, 1 node | engine, 101 nodes | plain per node | engine per node | overhead per node |");
        System.out.println("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for (var cp : new String[]{"false", "true"}) {
            for (var m : new String[]{"false", "true"}) {
                for (var l : new String[]{"false", "true"}) {
                    var k = "/" + cp + "/" + m + "/" + l;
                    if (!us.containsKey("engineRun/1" + k)) continue; // a case left out by the arguments
                    // the plain invoke has no engine, so no meters and no policy: its figures are the same either way
                    double p1 = us.get("plainInvoke/1" + k), p101 = us.get("plainInvoke/101" + k);
                    double e1 = us.get("engineRun/1" + k), e101 = us.get("engineRun/101" + k);
                    double plainPerNode = (p101 - p1) / 100, enginePerNode = (e101 - e1) / 100;
                    System.out.printf("| %s | %s | %s | %.1f µs | %.1f µs | %.1f µs | %.1f µs | %.2f µs | %.2f µs | %.2f µs |%n",
                            cp.equals("true") ? "MemorySaver" : "none", m.equals("true") ? "on" : "off",
                            l.equals("true") ? "max-steps, max-node-time, max-runtime" : "none", p1, p101, e1, e101,
                            plainPerNode, enginePerNode, enginePerNode - plainPerNode);
                }
            }
        }
    }
}
