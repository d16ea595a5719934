package dev.tether.bench;

import static dev.tether.bench.BenchFigures.p;
import static dev.tether.bench.BenchFigures.load;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.BulkCancel;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.engine.RunJournal;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelRequest;
import dev.tether.store.RunHistory;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a cancel of a queued run pays for being on record before it is answered: {@link LocalEngine#cancel}
 * of queued runs, and a bulk cancel ({@link BulkCancel#of}) of many, with the durable history attached
 * as {@code serve} attaches it, the cancelled runs written at once ({@link RunJournal}, what the product
 * does) and written behind only (before), in alternating rounds on one engine and store. The one slot
 * is held by a long run, so every submit queues.
 *
 * <pre>mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.bench.CancelJournalBench [-Dbench.args="CANCELS BULK ROUNDS"]</pre>
 */
public final class CancelJournalBench {
    public static void main(String[] args) throws Exception {
        int cancels = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        int bulk = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        var file = Files.createTempDirectory("tether-bench-cancel-journal").resolve("tether.db");
        System.out.println("load average before: " + load());
        var registry = new RunRegistry(1_000);
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1), GraphCatalog.load(null), registry);
        try (var history = RunHistory.open(file)) {
            history.attach(registry);
            engine.submit("welcome-email", null, Map.of("nodeMillis", 3_600_000)); // holds the slot: the rest queue
            engine.journal(history);
            singles(engine, 500); // warm-up
            for (int r = 1; r <= rounds; r++) {
                for (var journaled : List.of(false, true)) {
                    engine.journal(journaled ? history : RunJournal.NONE);
                    var t = singles(engine, cancels);
                    System.out.printf("round %d, %-30s %,d cancels of a queued run: p50 %.1f µs  p90 %.1f µs  p99 %.1f µs  max %.1f µs%n",
                            r, journaled ? "on record before the answer:" : "written behind only (before):", cancels,
                            p(t, 0.5), p(t, 0.9), p(t, 0.99), t[t.length - 1]);
                    double ms = bulk(engine, bulk);
                    System.out.printf("round %d, %-30s a bulk cancel of %,d queued runs: %.1f ms%n",
                            r, journaled ? "on record before the answer:" : "written behind only (before):", bulk, ms);
                }
            }
        } finally {
            engine.shutdown(Duration.ofSeconds(10));
        }
        System.out.println("load average after: " + load());
    }

    /** Cancel latencies of {@code n} queued runs in µs, sorted; one submitted, then cancelled, at a time. */
    private static double[] singles(LocalEngine engine, int n) {
        var t = new double[n];
        var request = CancelRequest.by(CancelOrigin.API);
        for (int i = 0; i < n; i++) {
            var id = engine.submit("welcome-email", null, Map.of()).runId();
            long s = System.nanoTime();
            engine.cancel(id, request);
            t[i] = (System.nanoTime() - s) / 1e3;
        }
        Arrays.sort(t);
        return t;
    }

    /** Milliseconds to cancel {@code n} queued runs in one bulk cancel (answered when they are on record). */
    private static double bulk(LocalEngine engine, int n) throws InterruptedException {
        var ids = new ArrayList<String>(n);
        for (int i = 0; i < n; i++) ids.add(engine.submit("welcome-email", null, Map.of()).runId());
        long s = System.nanoTime();
        BulkCancel.of(engine, ids, CancelRequest.by(CancelOrigin.API), Duration.ZERO);
        return (System.nanoTime() - s) / 1e6;
    }
}
