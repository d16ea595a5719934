package dev.tether.bench;

import dev.tether.registry.RunRegistry;
import dev.tether.run.ErrorInfo;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.store.RunHistory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The durable history at scale: fills a store under a scratch Tether home with 100,000 finished runs,
 * then times the real launcher's `tether list --all` against it (no instance running: the CLI reads
 * the store itself; JVM start included), beside `tether --version`. Also measures what the history
 * costs: rows written per second by the writer, and the time a registry event takes with and without
 * a history attached (the run thread's share). Needs `mvn package` first.
 *
 * <pre>mvn -B -q -DskipTests package && mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.bench.HistoryListBench [-Dbench.args="RUNS SAMPLES"]</pre>
 */
public final class HistoryListBench {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        var launcher = Path.of(args.length > 2 ? args[2] : "target/tether/bin/tether").toAbsolutePath();
        var home = Files.createTempDirectory("tether-bench-history");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        fill(home.resolve("tether.db"), runs);
        eventCost();

        for (int i = 0; i < 3; i++) time(launcher, home, java, "list", "--all"); // warm the file cache
        var cases = new String[][] {{"list", "--all"}, {"list", "--all", "--json"}, {"list", "--all", "--graph", "graph-7", "--status", "FAILED"},
                {"list", "--all", "--since", "2026-11-10T00:00:00Z", "--until", "2026-11-10T06:00:00Z"}, {"--version"}};
        var results = new ArrayList<List<Double>>();
        for (var c : cases) results.add(new ArrayList<>());
        for (int i = 0; i < samples; i++) {
            for (int k = 0; k < cases.length; k++) results.get(k).add(time(launcher, home, java, cases[k]));
        }
        // a deep page: the cursor of the 1,000th page's neighbourhood
        var deep = deepCursor(home.resolve("tether.db"), runs);
        var deepTimes = new ArrayList<Double>();
        for (int i = 0; i < samples; i++) deepTimes.add(time(launcher, home, java, "list", "--all", "--cursor", deep));
        for (int k = 0; k < cases.length; k++) report("no instance: tether " + String.join(" ", cases[k]), results.get(k));
        report("no instance: tether list --all --cursor <near the oldest>", deepTimes);

        // the usual case: a `tether serve` holds the store, the command asks it over the control API
        var serve = process(launcher, home, java, "serve").redirectErrorStream(true).redirectOutput(home.resolve("serve.log").toFile()).start();
        try {
            while (!Files.exists(home.resolve("control.json"))) {
                if (!serve.isAlive()) throw new IllegalStateException("serve exited: " + Files.readString(home.resolve("serve.log")));
                Thread.sleep(50);
            }
            for (int i = 0; i < 3; i++) time(launcher, home, java, "list", "--all");
            var served = new ArrayList<List<Double>>();
            for (int k = 0; k < 3; k++) served.add(new ArrayList<>());
            for (int i = 0; i < samples; i++) {
                served.get(0).add(time(launcher, home, java, "list", "--all"));
                served.get(1).add(time(launcher, home, java, "list", "--all", "--json"));
                served.get(2).add(time(launcher, home, java, "list", "--all", "--cursor", deep));
            }
            report("serve running: tether list --all", served.get(0));
            report("serve running: tether list --all --json", served.get(1));
            report("serve running: tether list --all --cursor <near the oldest>", served.get(2));
        } finally {
            serve.destroy();
            serve.waitFor();
        }
        System.out.printf("store file: %.1f MiB for %,d runs%n", Files.size(home.resolve("tether.db")) / 1048576.0, runs);
    }

    /** Writes {@code runs} finished runs over twenty days, in the writer's batches (one transaction each), and reports the rate. */
    private static void fill(Path file, int runs) {
        var registry = new RunRegistry(1);
        var t0 = Instant.parse("2026-11-01T00:00:00Z");
        long spacing = 20L * 24 * 3600 * 1000 / runs;
        try (var history = RunHistory.open(file)) {
            long start = System.nanoTime();
            var batch = new ArrayList<RunSnapshot>(1_000);
            for (int i = 0; i < runs; i++) {
                batch.add(finished(registry, "graph-" + (i % 10), t0.plusMillis(i * spacing), i));
                if (batch.size() == 1_000) {
                    history.write(batch);
                    batch.clear();
                }
            }
            history.write(batch);
            double s = (System.nanoTime() - start) / 1e9;
            System.out.printf("filled %,d finished runs in %.1f s: %,.0f runs/s written (snapshots made, JSON and SQLite included; %.1f µs a run)%n",
                    runs, s, runs / s, s * 1e6 / runs);
        }
    }

    private static RunSnapshot finished(RunRegistry registry, String graph, Instant end, int i) {
        var id = RunIds.next();
        registry.apply(new RunEvent.Submitted(id, graph, "default", Map.of("chapters", 3, "topic", "history " + i), end.minusSeconds(30)));
        registry.apply(new RunEvent.Started(id, "local", end.minusSeconds(29)));
        for (var node : List.of("outline", "draft", "review")) {
            registry.apply(new RunEvent.NodeStarted(id, node, end.minusSeconds(20)));
            registry.apply(new RunEvent.NodeFinished(id, node, true, end.minusSeconds(10)));
        }
        var last = i % 10 == 3 ? new RunEvent.Failed(id, new ErrorInfo("IllegalStateException", "boom", ""), end)
                : i % 10 == 5 ? new RunEvent.Cancelled(id, "draft", end) : new RunEvent.Completed(id, end);
        if (last instanceof RunEvent.Cancelled) registry.apply(new RunEvent.CancelRequested(id, end.minusMillis(3)));
        return registry.apply(last).after();
    }

    /** What a run's thread pays per event for the history: the registry apply with and without a writer attached. */
    private static void eventCost() throws Exception {
        int n = 200_000;
        for (int round = 0; round < 3; round++) {
            double without = applyEvents(null, n);
            var dir = Files.createTempDirectory("tether-bench-history-writer");
            double with;
            try (var history = RunHistory.open(dir.resolve("tether.db"))) {
                with = applyEvents(history, n);
            }
            System.out.printf("registry event (submit/start/node/complete mix), round %d: %.2f µs without history, %.2f µs with a history attached%n",
                    round + 1, without, with);
        }
    }

    private static double applyEvents(RunHistory history, int events) {
        var registry = new RunRegistry();
        if (history != null) history.attach(registry);
        var t = Instant.now();
        long start = System.nanoTime();
        int applied = 0;
        while (applied < events) {
            var id = RunIds.next();
            registry.apply(new RunEvent.Submitted(id, "g", "default", Map.of(), t));
            registry.apply(new RunEvent.Started(id, "local", t));
            registry.apply(new RunEvent.NodeStarted(id, "a", t));
            registry.apply(new RunEvent.NodeFinished(id, "a", true, t));
            registry.apply(new RunEvent.Completed(id, t));
            applied += 5;
        }
        return (System.nanoTime() - start) / 1e3 / applied;
    }

    private static String deepCursor(Path file, int runs) {
        try (var history = RunHistory.open(file)) {
            var q = dev.tether.history.HistoryQuery.newest(1_000);
            String next = null;
            for (int i = 0; i < Math.max(1, runs / 1_000 - 1); i++) {
                next = history.page(next == null ? q : q.after(dev.tether.history.HistoryCursor.parse(next))).next();
            }
            return next;
        }
    }

    private static ProcessBuilder process(Path launcher, Path home, String java, String... args) {
        var cmd = new ArrayList<String>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd);
        pb.environment().put("TETHER_HOME", home.toString());
        pb.environment().put("TETHER_JAVA", java);
        return pb;
    }

    private static double time(Path launcher, Path home, String java, String... args) throws Exception {
        long t0 = System.nanoTime();
        var p = process(launcher, home, java, args).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) throw new IllegalStateException("tether " + String.join(" ", args) + " failed");
        return (System.nanoTime() - t0) / 1e6;
    }

    private static void report(String what, List<Double> ms) {
        var sorted = ms.stream().sorted().toList();
        System.out.printf("%-72s p50 %5.0f ms  p90 %5.0f ms  max %5.0f ms  (%d samples)%n", what,
                sorted.get(sorted.size() / 2), sorted.get((int) Math.ceil(sorted.size() * 0.9) - 1), sorted.getLast(), sorted.size());
    }
}
