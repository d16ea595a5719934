package dev.tether.bench;

import dev.tether.api.Cancellation;
import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.Isolation;
import dev.tether.engine.IsolationPolicy;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelOrigin;
import dev.tether.run.RunPolicy;
import dev.tether.run.RunStatus;
import org.HdrHistogram.Histogram;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * How late a max-runtime stops a run: from the deadline (start + max-runtime) until the run is
 * terminal (its recorded end), per run, in thread mode and in process isolation, for a node that
 * waits on its token, one blocked in {@code Thread.sleep}, and (process isolation) one that ignores
 * every cancel, which the ladder kills after the grace (the overshoot beyond deadline + grace). A run
 * in process isolation is submitted once a warm child is free.
 * Arguments: samples per case (default 200), max-runtime in ms (default 100; at least 1 s in process
 * isolation, where the node must have started in its child before the deadline), grace in ms (default 500).
 */
public final class DeadlineOvershootBench {

    /** first → wait (on its token, 60 s) → last. */
    public static final class Cooperative implements GraphDefinition {
        public String id() { return "deadline-coop"; }
        public String title() { return id(); }
        public String description() { return "waits on its token"; }

        public StateGraph<AgentState> build() throws GraphStateException {
            return new StateGraph<>(AgentState::new)
                    .addNode("first", node_async(s -> Map.of()))
                    .addNode("wait", node_async(s -> {
                        Cancellation.current().sleep(Duration.ofSeconds(60));
                        return Map.of();
                    }))
                    .addNode("last", node_async(s -> Map.of()))
                    .addEdge(START, "first").addEdge("first", "wait").addEdge("wait", "last").addEdge("last", END);
        }
    }

    /** one node blocked in Thread.sleep (60 s): stopped by the interrupt. */
    public static final class Sleeping implements GraphDefinition {
        public String id() { return "deadline-sleep"; }
        public String title() { return id(); }
        public String description() { return "blocked in Thread.sleep"; }

        public StateGraph<AgentState> build() throws GraphStateException {
            return new StateGraph<>(AgentState::new)
                    .addNode("sleep", node_async(s -> {
                        Thread.sleep(60_000);
                        return Map.of();
                    }))
                    .addEdge(START, "sleep").addEdge("sleep", END);
        }
    }

    /** one node that spins ignoring interrupts and its token (60 s): only a kill stops it. */
    public static final class Deaf implements GraphDefinition {
        public String id() { return "deadline-deaf"; }
        public String title() { return id(); }
        public String description() { return "ignores every cancel"; }

        public StateGraph<AgentState> build() throws GraphStateException {
            return new StateGraph<>(AgentState::new)
                    .addNode("spin", node_async(s -> {
                        long end = System.nanoTime() + 60_000_000_000L;
                        long x = 0;
                        while (System.nanoTime() < end) x++;
                        return Map.of("x", x);
                    }))
                    .addEdge(START, "spin").addEdge("spin", END);
        }
    }

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        var maxRuntime = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 100);
        var grace = Duration.ofMillis(args.length > 2 ? Long.parseLong(args[2]) : 500);
        var policy = RunPolicy.of("max-runtime", maxRuntime.toMillis() + "ms");
        var rows = new ArrayList<String>();
        rows.add(run("thread", "token-aware node", new Cooperative(), Isolation.THREAD, policy, grace, samples));
        rows.add(run("thread", "node blocked in Thread.sleep", new Sleeping(), Isolation.THREAD, policy, grace, samples));
        // in a child JVM the node must have started before the deadline for a kill to be what stops it: a longer limit
        var processPolicy = RunPolicy.of("max-runtime", Math.max(1_000, maxRuntime.toMillis()) + "ms");
        rows.add(run("process", "token-aware node", new Cooperative(), Isolation.PROCESS, processPolicy, grace, samples));
        rows.add(run("process", "node ignoring every cancel: killed after the grace (" + grace.toMillis() + " ms, not counted)",
                new Deaf(), Isolation.PROCESS, processPolicy, grace, Math.max(10, samples / 10)));
        System.out.println();
        System.out.println("| isolation | node | runs | overshoot p50 | p99 | max |");
        System.out.println("|---|---|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    /** One at a time on a one-slot engine: submit, and time the run's recorded end against its deadline. */
    static String run(String mode, String what, GraphDefinition graph, Isolation isolation, RunPolicy policy, Duration grace,
                      int samples) throws Exception {
        var config = EngineConfig.defaults().withConcurrency(1).withCancelGrace(grace).withIsolation(IsolationPolicy.of(isolation));
        var engine = new LocalEngine(config, GraphCatalog.of(List.of(graph)), new RunRegistry(samples + 100));
        var histogram = new Histogram(3);
        try {
            int warm = isolation == Isolation.PROCESS ? 3 : 20;
            for (int i = 0; i < samples + warm; i++) {
                // a warm child first: a deadline that passes while the run waits for its JVM stops it there, cleanly
                var pool = engine.childPool();
                if (pool.isPresent()) {
                    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (pool.get().idle() < 1 && System.nanoTime() < until) Thread.sleep(5);
                }
                var id = engine.submit(graph.id(), null, Map.of(), policy).runId();
                var end = engine.awaitTerminal(id, Duration.ofSeconds(120)).orElseThrow();
                if (end.status() != RunStatus.CANCELLED || end.cancelOrigin() != CancelOrigin.DEADLINE) {
                    throw new IllegalStateException("expected CANCELLED by DEADLINE: " + end);
                }
                // a node that ignores its cancel is killed after the grace: what is measured is beyond that
                var late = Duration.between(end.startedAt().plus(policy.maxRuntime()), end.endedAt());
                if (graph instanceof Deaf) {
                    if (!end.forced()) throw new IllegalStateException("expected a kill: " + end);
                    late = late.minus(grace);
                }
                if (i >= warm) histogram.recordValue(Math.max(0, late.toNanos() / 1_000));
            }
        } finally {
            engine.shutdown(Duration.ofSeconds(30));
        }
        var line = "| %s | %s | %,d | %s | %s | %s |".formatted(mode, what, samples, ms(histogram.getValueAtPercentile(50)),
                ms(histogram.getValueAtPercentile(99)), ms(histogram.getMaxValue()));
        System.out.println(line);
        return line;
    }

    static String ms(long micros) {
        return "%.2f ms".formatted(micros / 1000.0);
    }
}
