package dev.tether.bench;

import static dev.tether.bench.BenchFigures.p;

import dev.tether.engine.process.ProcessLiveness;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.store.RunHistory;

import java.nio.file.Files;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What the running console or {@code serve} pays to look for LOST runs while it runs
 * ({@link RunHistory#sweepLost}, every {@link RunHistory#LOST_CHECK_EVERY}): one look over a store of
 * 100,000 finished runs with active rows of this process (running and queued) and of another live
 * process sharing the file, which is looked at in {@code /proc} each time. Also the {@code /proc}
 * look alone.
 *
 * <pre>mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.bench.LostRunSweepBench [-Dbench.args="FINISHED ACTIVE"]</pre>
 */
public final class LostRunSweepBench {
    public static void main(String[] args) throws Exception {
        int finished = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int active = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        var file = Files.createTempDirectory("tether-bench-sweep").resolve("tether.db");
        var other = new ProcessBuilder("sleep", "3600").start(); // a live process sharing the store
        try (var history = RunHistory.open(file)) {
            var registry = new RunRegistry(1);
            var t0 = Instant.parse("2026-11-01T00:00:00Z");
            var batch = new ArrayList<RunSnapshot>();
            for (int i = 0; i < finished; i++) {
                var id = RunIds.next();
                var at = t0.plusSeconds(i);
                registry.apply(new RunEvent.Submitted(id, "graph-" + (i % 10), "default", Map.of(), at));
                registry.apply(new RunEvent.Started(id, "local", at));
                batch.add(registry.apply(new RunEvent.Completed(id, at.plusSeconds(1))).after());
                if (batch.size() == 1_000) {
                    history.write(batch);
                    batch.clear();
                }
            }
            var theirs = new ArrayList<String>();
            for (int i = 0; i < active; i++) { // queued and running runs of this process, and 16 of the other's
                var id = RunIds.next();
                registry.apply(new RunEvent.Submitted(id, "graph-1", "default", Map.of(), Instant.now()));
                var s = i % 4 == 0 ? registry.apply(new RunEvent.Started(id, "local", Instant.now())).after() : registry.get(id).orElseThrow();
                batch.add(s);
                if (i < 16) theirs.add(id);
            }
            history.write(batch);
            long otherStart = other.toHandle().info().startInstant().orElseThrow().toEpochMilli();
            try (var c = DriverManager.getConnection("jdbc:sqlite:" + file);
                 var u = c.prepareStatement("UPDATE run_history SET owner_pid = ?, owner_start = ? WHERE run_id = ?")) {
                for (var id : theirs) {
                    u.setLong(1, other.pid());
                    u.setLong(2, otherStart);
                    u.setString(3, id);
                    u.executeUpdate();
                }
            }
            var mine = new RunRegistry();
            int n = 2_000;
            for (int round = 1; round <= 5; round++) {
                var sweep = new double[n];
                for (int i = 0; i < n; i++) {
                    long s = System.nanoTime();
                    if (!history.sweepLost(mine).isEmpty()) throw new IllegalStateException("nothing is lost here");
                    sweep[i] = (System.nanoTime() - s) / 1e3;
                }
                var proc = new double[n];
                for (int i = 0; i < n; i++) {
                    long s = System.nanoTime();
                    if (!ProcessLiveness.isRunning(other.pid())) throw new IllegalStateException("it runs");
                    proc[i] = (System.nanoTime() - s) / 1e3;
                }
                Arrays.sort(sweep);
                Arrays.sort(proc);
                System.out.printf("round %d: sweep (%,d finished, %,d active rows, 1 other process) p50 %.0f µs p99 %.0f µs max %.0f µs;"
                                + " /proc look p50 %.1f µs p99 %.1f µs; at one sweep every %d s: %.4f%% of a core%n",
                        round, finished, active, p(sweep, 0.5), p(sweep, 0.99), sweep[n - 1], p(proc, 0.5), p(proc, 0.99),
                        RunHistory.LOST_CHECK_EVERY.toSeconds(), p(sweep, 0.5) / (RunHistory.LOST_CHECK_EVERY.toMillis() * 1e3) * 100);
            }
            System.out.println("load average: " + String.join(" ", List.of(Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")).subList(0, 3)));
        } finally {
            other.destroyForcibly().waitFor();
        }
    }
}
