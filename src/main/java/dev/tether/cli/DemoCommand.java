package dev.tether.cli;

import dev.tether.engine.RunEngine;
import dev.tether.engine.ShutdownOnSignal;
import dev.tether.run.RunSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "demo", hidden = true,
        description = "Headless demonstration: one run of each built-in graph, two of them cancelled, printed live.")
final class DemoCommand implements Callable<Integer> {
    @Mixin EngineOptions engineOptions = new EngineOptions();

    @Override
    public Integer call() throws Exception {
        RunEngine engine = engineOptions.localEngine();
        ShutdownOnSignal.install(engine, engineOptions.shutdownTimeout, null);
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
        engineOptions.closeHistory();
        return ExitCodes.OK;
    }

    private static void print(RunEngine engine) {
        var now = Instant.now();
        System.out.println("Graph executions:");
        for (RunSnapshot r : engine.registry().all()) {
            System.out.printf("  %s  %-14s %-11s node=%-14s steps=%-2d runtime=%.1fs%s%n", Terminal.safe(r.shortId()), Terminal.safe(r.graphId()),
                    r.status(), r.currentNode() == null ? "-" : Terminal.safe(r.currentNode()), r.steps(), r.runtime(now).toMillis() / 1000.0,
                    r.cancelLatency() == null ? "" : "  cancel took " + r.cancelLatency().toMillis() + " ms");
        }
    }
}
