package dev.tether.cli;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.engine.RunEngine;
import dev.tether.engine.ShutdownOnSignal;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Entry point of the {@code tether} launcher. Until the console and the full command line land it
 * offers {@code graphs} and {@code demo}: the embedded engine, headless, running the built-in graphs.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        var command = args.length == 0 ? "demo" : args[0];
        switch (command) {
            case "graphs" -> GraphCatalog.load(GraphCatalog.defaultPluginsDir()).all()
                    .forEach(g -> System.out.printf("%-16s %-14s %s%n", g.id(), g.defaultQueue(), g.description()));
            case "demo" -> demo();
            case "console" -> console();
            default -> {
                System.err.println("tether: unknown command '" + command + "' (usage: tether [demo|graphs])");
                System.exit(2);
            }
        }
    }

    private static void console() {
        RunEngine engine = new LocalEngine(EngineConfig.defaults(), GraphCatalog.load(GraphCatalog.defaultPluginsDir()), new RunRegistry());
        ShutdownOnSignal.install(engine, RunEngine.DEFAULT_SHUTDOWN_TIMEOUT, null);
        dev.tether.console.TetherConsole.launch(engine, dev.tether.console.ConsoleOptions.defaults());
        System.exit(0);
    }

    /** Submits one run of each built-in graph, shows them live, cancels two, and exits on Ctrl+C or when all end. */
    private static void demo() throws Exception {
        RunEngine engine = new LocalEngine(EngineConfig.defaults(), GraphCatalog.load(GraphCatalog.defaultPluginsDir()), new RunRegistry());
        ShutdownOnSignal.install(engine, RunEngine.DEFAULT_SHUTDOWN_TIMEOUT, null);
        engine.submit("book-workflow", null, Map.of("nodeMillis", 800));
        engine.submit("welcome-email", null, Map.of());
        var cpu = engine.submit("cpu-crunch", null, Map.of("millis", 4_000)).runId();
        var stubborn = engine.submit("stubborn", null, Map.of("seconds", 8)).runId();
        long start = System.nanoTime();
        boolean cancelled = false;
        while (!engine.registry().active().isEmpty()) {
            if (!cancelled && System.nanoTime() - start > 2_000_000_000L) {
                System.out.println("-- cancelling cpu-crunch and stubborn");
                engine.cancel(cpu);
                engine.cancel(stubborn);
                cancelled = true;
            }
            print(engine);
            Thread.sleep(1_000);
        }
        print(engine);
        engine.shutdown(Duration.ofSeconds(5));
    }

    private static void print(RunEngine engine) {
        var now = Instant.now();
        System.out.println("Graph executions:");
        for (RunSnapshot r : engine.registry().all()) {
            System.out.printf("  %s  %-14s %-11s node=%-14s steps=%-2d runtime=%.1fs%s%n", r.shortId(), r.graphId(),
                    r.status(), r.currentNode() == null ? "-" : r.currentNode(), r.steps(), r.runtime(now).toMillis() / 1000.0,
                    r.cancelLatency() == null ? "" : "  cancel took " + r.cancelLatency().toMillis() + " ms");
        }
    }
}
