package dev.tether.bench;

import static dev.tether.bench.BenchFigures.p;
import static dev.tether.bench.BenchFigures.load;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.engine.RunJournal;
import dev.tether.registry.RunRegistry;
import dev.tether.store.RunHistory;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * What a submit pays for being on record before it is answered: {@link LocalEngine#submit} timed with
 * the durable history attached as {@code serve} attaches it (its writer behind the engine, on a
 * store on disk), with the run written at once ({@link RunJournal}, what the product does) and
 * without (written behind only, as before), in alternating rounds on the same engine and store. The
 * runs are real (the built-in welcome-email graph, 1 ms nodes, 4 slots), submitted one every 2 ms, so
 * the writer is busy with their changes meanwhile and contends for the store.
 *
 * <pre>mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.bench.SubmitJournalBench [-Dbench.args="SUBMITS ROUNDS"]</pre>
 */
public final class SubmitJournalBench {
    public static void main(String[] args) throws Exception {
        int submits = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        var file = Files.createTempDirectory("tether-bench-journal").resolve("tether.db");
        System.out.println("load average before: " + load());
        var registry = new RunRegistry(1_000);
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(4), GraphCatalog.load(null), registry);
        try (var history = RunHistory.open(file)) {
            history.attach(registry);
            var input = Map.<String, Object>of("nodeMillis", 1);
            round(engine, input, 500); // warm-up: JIT, SQLite's statements, the store's first pages
            engine.journal(history);
            round(engine, input, 500);
            for (int r = 1; r <= rounds; r++) {
                for (var journaled : List.of(false, true)) {
                    engine.journal(journaled ? history : RunJournal.NONE);
                    var t = round(engine, input, submits);
                    System.out.printf("round %d, %-32s %,d submits: p50 %.1f µs  p90 %.1f µs  p99 %.1f µs  max %.1f µs%n", r,
                            journaled ? "on record before the answer:" : "written behind only (before):", submits,
                            p(t, 0.5), p(t, 0.9), p(t, 0.99), t[t.length - 1]);
                }
            }
        } finally {
            engine.shutdown(Duration.ofSeconds(10));
        }
        System.out.println("load average after: " + load());
    }

    /** Submit latencies in µs, sorted. */
    private static double[] round(LocalEngine engine, Map<String, Object> input, int n) {
        var t = new double[n];
        long next = System.nanoTime();
        for (int i = 0; i < n; i++) {
            next += 2_000_000;
            long s = System.nanoTime();
            engine.submit("welcome-email", null, input);
            t[i] = (System.nanoTime() - s) / 1e3;
            long wait = next - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
        }
        Arrays.sort(t);
        return t;
    }
}
