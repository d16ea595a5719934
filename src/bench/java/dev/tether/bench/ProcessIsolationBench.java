package dev.tether.bench;

import dev.tether.api.Cancellation;
import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.Isolation;
import dev.tether.engine.IsolationPolicy;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import org.HdrHistogram.Histogram;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * Process isolation, measured from this JVM (the parent) with real child JVMs:
 * cancel latency of a cooperative node, kill latency (level 3 until the run is CANCELLED, which it
 * is only once the child and its descendants are gone), submit to first node with a warm pool, and
 * short runs per second. Arguments: cancels, kills, starts, short runs (defaults 500, 50, 500, 2,000).
 */
public final class ProcessIsolationBench {

    /** first → work (sleeps on its token, 30 s) → last. */
    public static final class Cooperative implements GraphDefinition {
        public String id() { return "bench-coop"; }
        public String title() { return id(); }
        public String description() { return "cooperative node for the process bench"; }

        public StateGraph<AgentState> build() throws GraphStateException {
            return new StateGraph<>(AgentState::new)
                    .addNode("first", node_async(s -> Map.of()))
                    .addNode("work", node_async(s -> {
                        Cancellation.current().sleep(Duration.ofSeconds(30));
                        return Map.of();
                    }))
                    .addNode("last", node_async(s -> Map.of()))
                    .addEdge(START, "first").addEdge("first", "work").addEdge("work", "last").addEdge("last", END);
        }
    }

    /** One trivial node. */
    public static final class Short implements GraphDefinition {
        public String id() { return "bench-short"; }
        public String title() { return id(); }
        public String description() { return "one trivial node"; }

        public StateGraph<AgentState> build() throws GraphStateException {
            return new StateGraph<>(AgentState::new).addNode("only", node_async(s -> Map.of("x", 1)))
                    .addEdge(START, "only").addEdge("only", END);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("start")) { // child start-up, with and without a class-data archive
            childStart(args.length > 1 ? args[1] : "target/tether/tether.jsa", args.length > 2 ? Integer.parseInt(args[2]) : 5);
            return;
        }
        int cancels = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int kills = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int starts = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        int shorts = args.length > 3 ? Integer.parseInt(args[3]) : 2_000;
        var rows = new ArrayList<String>();
        var registry = new RunRegistry(100_000);
        var nodeStarted = new ConcurrentHashMap<String, Long>();
        var firstNode = new ConcurrentHashMap<String, CountDownLatch>();
        registry.listen(e -> {
            if (e instanceof RunEvent.NodeStarted n) {
                nodeStarted.putIfAbsent(n.runId() + "/" + n.node(), System.nanoTime());
                var latch = firstNode.get(n.runId() + "/" + n.node());
                if (latch != null) latch.countDown();
            }
        });
        var config = EngineConfig.defaults().withConcurrency(1).withCheckpointSaver(null)
                .withIsolation(IsolationPolicy.of(Isolation.PROCESS));
        var engine = new LocalEngine(config, GraphCatalog.of(new Cooperative(), new Short()), registry);
        var pool = engine.childPool().orElseThrow();
        try {
            awaitPool(pool, 1);
            // warm-up: the child's JIT and the parent's paths
            for (int i = 0; i < 50; i++) cancelOnce(engine, registry, firstNode, StopLevel.CANCEL);

            var cancel = new Histogram(3);
            for (int i = 0; i < cancels; i++) cancel.recordValue(cancelOnce(engine, registry, firstNode, StopLevel.CANCEL));
            rows.add(row("cancel (level 2) → CANCELLED, cooperative node in a child JVM", cancels, cancel));

            var start = new Histogram(3);
            for (int i = 0; i < starts; i++) {
                awaitPool(pool, 1);
                long t0 = System.nanoTime();
                var id = engine.submit("bench-short", null, Map.of()).runId();
                engine.awaitTerminal(id, Duration.ofSeconds(30)).orElseThrow();
                start.recordValue((nodeStarted.get(id + "/only") - t0) / 1_000);
            }
            rows.add(row("submit → first node started, warm pool", starts, start));

            var kill = new Histogram(3);
            for (int i = 0; i < kills; i++) {
                awaitPool(pool, 1); // a kill costs the child: wait for its replacement
                kill.recordValue(cancelOnce(engine, registry, firstNode, StopLevel.KILL));
            }
            rows.add(row("kill (level 3) → child and descendants gone → CANCELLED (forced)", kills, kill));
        } finally {
            engine.shutdown(Duration.ofSeconds(10));
        }

        // throughput with as many children as cores
        var config2 = config.withConcurrency(2);
        var registry2 = new RunRegistry(shorts + 10);
        var engine2 = new LocalEngine(config2, GraphCatalog.of(new Short()), registry2);
        try {
            awaitPool(engine2.childPool().orElseThrow(), 2);
            for (int i = 0; i < 200; i++) engine2.submit("bench-short", null, Map.of());
            awaitAllTerminal(registry2);
            long t0 = System.nanoTime();
            var ids = new ArrayList<String>();
            for (int i = 0; i < shorts; i++) ids.add(engine2.submit("bench-short", null, Map.of()).runId());
            for (var id : ids) engine2.awaitTerminal(id, Duration.ofMinutes(5)).orElseThrow();
            double secs = (System.nanoTime() - t0) / 1e9;
            rows.add("| short runs, submit → COMPLETED, 2 children | %,d runs in %.2f s: %,.0f runs/s | | |".formatted(shorts, secs, shorts / secs));
        } finally {
            engine2.shutdown(Duration.ofSeconds(10));
        }
        System.out.println();
        System.out.println("| case | samples | p50 | p99 | max |");
        System.out.println("|---|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    /** Submits a cooperative run, waits until its node runs, cancels it at {@code level}; microseconds to terminal. */
    private static long cancelOnce(LocalEngine engine, RunRegistry registry, Map<String, CountDownLatch> entered, StopLevel level)
            throws Exception {
        var latch = new CountDownLatch(1);
        var id = engine.submit("bench-coop", null, Map.of()).runId();
        entered.put(id + "/work", latch);
        if (!"work".equals(registry.get(id).orElseThrow().currentNode()) && !latch.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("run did not reach its node: " + registry.get(id));
        }
        Thread.sleep(1); // inside the node's sleep
        long t0 = System.nanoTime();
        engine.cancel(id, dev.tether.run.CancelRequest.of(level));
        var end = engine.awaitTerminal(id, Duration.ofSeconds(30)).orElseThrow();
        long micros = (System.nanoTime() - t0) / 1_000;
        entered.remove(id + "/work");
        if (end.status() != RunStatus.CANCELLED || end.forced() != (level == StopLevel.KILL)) {
            throw new IllegalStateException("unexpected end: " + end);
        }
        return micros;
    }

    /**
     * Spawn → "ready" (graphs loaded and compiled) of one child, alternating without and with the
     * archive the launcher's build trains. Run it after {@code mvn package}, with the packaged jars on
     * the class path the archive was made for: {@code -Dbench.cp=target/tether/lib/*}.
     */
    private static void childStart(String archive, int rounds) throws Exception {
        var catalog = GraphCatalog.load(null);
        for (int i = 0; i < rounds; i++) {
            for (boolean withArchive : new boolean[]{false, true}) {
                if (withArchive) System.setProperty("tether.child.archive", archive);
                else System.clearProperty("tether.child.archive");
                var launcher = dev.tether.engine.process.ChildLauncher.forCatalog(catalog, "bench");
                long t0 = System.nanoTime();
                try (var pool = new dev.tether.engine.process.ChildPool(launcher, 1)) {
                    awaitPool(pool, 1);
                    System.out.printf("child start %s archive: %d ms%n", withArchive ? "with" : "without", (System.nanoTime() - t0) / 1_000_000);
                }
            }
        }
    }

    private static void awaitPool(dev.tether.engine.process.ChildPool pool, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (pool.idle() < n) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("pool did not fill");
            Thread.sleep(1);
        }
    }

    private static void awaitAllTerminal(RunRegistry registry) throws InterruptedException {
        while (!registry.active().isEmpty()) Thread.sleep(5);
    }

    private static String row(String what, int n, Histogram h) {
        var line = "| %s | %,d | %s | %s | %s |".formatted(what, n, CancelLatencyBench.Row.ms(h.getValueAtPercentile(50)),
                CancelLatencyBench.Row.ms(h.getValueAtPercentile(99)), CancelLatencyBench.Row.ms(h.getMaxValue()));
        System.out.println(line);
        return line;
    }
}
