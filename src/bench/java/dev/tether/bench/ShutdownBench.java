package dev.tether.bench;

import static dev.tether.bench.BenchFigures.p;
import static dev.tether.bench.BenchFigures.load;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.engine.process.ProcessLiveness;
import dev.tether.graphs.BookWorkflowGraph;
import dev.tether.registry.RunRegistry;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * How soon things end, the figures the tests no longer claim (they assert that these things happen,
 * in order; a timing claim failed them on a loaded machine):
 * <ol>
 *   <li>an engine's shutdown with 20 cooperative runs (4 running in nodes of 10 s, 16 queued);</li>
 *   <li>how far past its timeout (1 s) a shutdown returns when a run ignores its cancel;</li>
 *   <li>a JVM with an engine receiving SIGTERM or SIGINT: signal to exit, with two cooperative runs,
 *       and with a third that ignores its cancel (shutdown timeout 2 s, as {@code SignalShutdownTest});</li>
 *   <li>a process-isolated engine's JVM SIGKILLed: until its children and the process a node started
 *       are gone (README: within 2 s), as {@code OrphanTest}.</li>
 * </ol>
 * The probes are the tests' own ({@code SignalProbe}, {@code OrphanProbe}). The load average is
 * printed before and after.
 *
 * <pre>mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.bench.ShutdownBench [-Dbench.args="ROUNDS"]</pre>
 */
public final class ShutdownBench {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        System.out.println("load average before: " + load());
        var cooperative = new double[rounds];
        var overshoot = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            cooperative[i] = cooperativeShutdownMillis();
            overshoot[i] = stuckShutdownOvershootMillis();
        }
        print("engine shutdown, 20 cooperative runs (4 running, 16 queued)", cooperative);
        print("engine shutdown with a run ignoring its cancel: past its 1 s timeout", overshoot);
        for (var c : List.of(new String[]{"TERM", "cooperative"}, new String[]{"INT", "cooperative"}, new String[]{"TERM", "stubborn"})) {
            var t = new double[rounds];
            for (int i = 0; i < rounds; i++) t[i] = signalToExitMillis(c[0], c[1]);
            print("SIG" + c[0] + " to exit, " + (c[1].equals("stubborn") ? "2 cooperative runs + 1 ignoring its cancel" : "2 cooperative runs"), t);
        }
        var orphans = new double[rounds];
        for (int i = 0; i < rounds; i++) orphans[i] = orphansGoneMillis();
        print("parent SIGKILLed: its 2 child JVMs and a node's sleep gone", orphans);
        System.out.println("load average after: " + load());
    }

    private static double cooperativeShutdownMillis() throws Exception {
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(4).withCancelGrace(Duration.ofSeconds(2)),
                GraphCatalog.of(new BookWorkflowGraph()), new RunRegistry());
        for (int i = 0; i < 20; i++) engine.submit("book-workflow", null, Map.of("nodeMillis", 10_000));
        while (engine.stats().busy() < 4) Thread.sleep(1);
        Thread.sleep(50); // inside their first nodes
        var report = engine.shutdown(Duration.ofSeconds(30));
        if (!report.clean() || report.cancelled() != 20) throw new IllegalStateException("not a clean shutdown: " + report);
        return report.took().toNanos() / 1e6;
    }

    private static double stuckShutdownOvershootMillis() throws Exception {
        var letGo = new CountDownLatch(1);
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2).withCancelGrace(Duration.ofMillis(300)),
                GraphCatalog.of(deaf(letGo)), new RunRegistry());
        try {
            var id = engine.submit("deaf", null, Map.of()).runId();
            while (!"ignore-cancel".equals(engine.registry().get(id).orElseThrow().currentNode())) Thread.sleep(1);
            var timeout = Duration.ofSeconds(1);
            long t0 = System.nanoTime();
            var report = engine.shutdown(timeout);
            long took = System.nanoTime() - t0;
            if (report.notStopped().size() != 1) throw new IllegalStateException("the deaf run was not reported: " + report);
            return (took - timeout.toNanos()) / 1e6;
        } finally {
            letGo.countDown();
        }
    }

    private static double signalToExitMillis(String signal, String kind) throws Exception {
        // env: a bench started in the background inherits SIGINT ignored, and a JVM keeps ignoring it
        var p = new ProcessBuilder("env", "--default-signal=INT", java(), "-cp", System.getProperty("java.class.path"), "dev.tether.engine.SignalProbe", kind)
                .redirectErrorStream(true).start();
        try {
            var out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String line;
            while ((line = out.readLine()) != null && !line.equals("READY")) { /* its log */ }
            if (line == null) throw new IllegalStateException("the signal probe ended before it was ready");
            long t0 = System.nanoTime();
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
            if (!p.waitFor(5, TimeUnit.MINUTES)) throw new IllegalStateException("the signal probe did not exit");
            long took = System.nanoTime() - t0;
            out.lines().forEach(l -> { });
            return took / 1e6;
        } finally {
            p.destroyForcibly();
        }
    }

    private static double orphansGoneMillis() throws Exception {
        var dir = Files.createTempDirectory("tether-bench-orphans");
        var p = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"), "dev.tether.engine.process.OrphanProbe",
                dir.resolve("sleep.pid").toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            var out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("PIDS")) { /* skip */ }
            if (line == null) throw new IllegalStateException("the orphan probe ended before it reported");
            List<Long> pids = Arrays.stream(line.substring(5).trim().split(" ")).map(Long::parseLong).toList();
            long t0 = System.nanoTime();
            new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor();
            p.waitFor();
            while (pids.stream().anyMatch(ProcessLiveness::isRunning)) {
                if (System.nanoTime() - t0 > TimeUnit.MINUTES.toNanos(5)) throw new IllegalStateException("orphans left: " + pids);
                Thread.sleep(5);
            }
            return (System.nanoTime() - t0) / 1e6;
        } finally {
            p.destroyForcibly();
        }
    }

    private static GraphDefinition deaf(CountDownLatch letGo) {
        return new GraphDefinition() {
            @Override public String id() { return "deaf"; }
            @Override public String title() { return "Deaf"; }
            @Override public String description() { return "ignores its cancel until let go"; }

            @Override
            public StateGraph<AgentState> build() throws org.bsc.langgraph4j.GraphStateException {
                return new StateGraph<>(AgentState::new).addNode("ignore-cancel", node_async(s -> {
                    while (true) {
                        try {
                            if (letGo.await(1, TimeUnit.MINUTES)) return Map.of();
                        } catch (InterruptedException ignored) {
                            // deaf
                        }
                    }
                })).addEdge(START, "ignore-cancel").addEdge("ignore-cancel", END);
            }
        };
    }

    private static void print(String what, double[] millis) {
        var t = millis.clone();
        Arrays.sort(t);
        System.out.printf("%-75s n=%d  p50 %,.0f ms  p90 %,.0f ms  max %,.0f ms%n", what, t.length, p(t, 0.5), p(t, 0.9), t[t.length - 1]);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
