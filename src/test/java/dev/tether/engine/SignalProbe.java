package dev.tether.engine;

import dev.tether.catalog.GraphCatalog;
import dev.tether.graphs.BookWorkflowGraph;
import dev.tether.graphs.StubbornGraph;
import dev.tether.registry.RunRegistry;

import java.time.Duration;
import java.util.Map;

/** A child process for {@link SignalShutdownTest}: an engine with runs, waiting for a signal. */
public final class SignalProbe {
    public static void main(String[] args) throws Exception {
        boolean stubborn = args.length > 0 && args[0].equals("stubborn");
        var registry = new RunRegistry();
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(3).withCancelGrace(Duration.ofMillis(500)),
                GraphCatalog.of(new BookWorkflowGraph(), new StubbornGraph()), registry);
        ShutdownOnSignal.install(engine, Duration.ofSeconds(2), () ->
                registry.all().forEach(r -> System.out.println("FINAL " + r.graphId() + " " + r.status())));
        engine.submit("book-workflow", null, Map.of("nodeMillis", 60_000));
        engine.submit("book-workflow", null, Map.of("nodeMillis", 60_000));
        var spinning = stubborn ? engine.submit("stubborn", null, Map.of("seconds", 600)).runId() : null;
        while (engine.stats().busy() < (stubborn ? 3 : 2)) Thread.sleep(5);
        // busy counts from the start of a run, before its graph is compiled: wait until it really ignores cancels
        while (spinning != null && !"ignore-cancel".equals(registry.get(spinning).orElseThrow().currentNode())) Thread.sleep(5);
        Thread.sleep(100);
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
