package dev.tether.console;

import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What the Metrics panel's tables show, from the runs that ended recently: how long cancels took
 * (p50, p99, max) per worker and per graph, and how runs ended per graph. Pure functions.
 */
final class OutcomeStats {
    private OutcomeStats() {}

    /** One row of cancel latencies: {@code scope} is "worker" or "graph". */
    record LatencyRow(String scope, String name, int stops, Duration p50, Duration p99, Duration max) {}

    record OutcomeRow(String graph, int completed, int cancelled, int forced, int stuck, int failed, int lost) {}

    /** Runs stopped by a cancel after they had started (a queued run stops at once and says nothing of latency). */
    private static boolean timedStop(RunSnapshot r) {
        return r.status() == RunStatus.CANCELLED && r.startedAt() != null && r.cancelLatency() != null;
    }

    /** Per worker, then per graph, each by name. */
    static List<LatencyRow> latency(Collection<RunSnapshot> ended) {
        var rows = new ArrayList<LatencyRow>();
        rows.addAll(latencyBy("worker", ended, r -> r.worker() == null ? "-" : r.worker()));
        rows.addAll(latencyBy("graph", ended, RunSnapshot::graphId));
        return rows;
    }

    private static List<LatencyRow> latencyBy(String scope, Collection<RunSnapshot> ended, Function<RunSnapshot, String> key) {
        var groups = new TreeMap<String, List<Duration>>();
        for (var r : ended) if (timedStop(r)) groups.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r.cancelLatency());
        var rows = new ArrayList<LatencyRow>(groups.size());
        for (var e : groups.entrySet()) {
            var d = e.getValue();
            d.sort(null);
            rows.add(new LatencyRow(scope, e.getKey(), d.size(), rank(d, 0.50), rank(d, 0.99), d.getLast()));
        }
        return rows;
    }

    /** Nearest-rank percentile of sorted values. */
    static Duration rank(List<Duration> sorted, double p) {
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.clamp(i, 0, sorted.size() - 1));
    }

    static List<OutcomeRow> outcomes(Collection<RunSnapshot> ended) {
        Map<String, int[]> counts = new TreeMap<>();
        for (var r : ended) {
            var c = counts.computeIfAbsent(r.graphId(), k -> new int[6]);
            switch (r.status()) {
                case COMPLETED -> c[0]++;
                case CANCELLED -> c[r.forced() ? 2 : 1]++;
                case STUCK -> c[3]++;
                case FAILED -> c[4]++;
                case LOST -> c[5]++;
                default -> { }
            }
        }
        var rows = new ArrayList<OutcomeRow>(counts.size());
        counts.forEach((g, c) -> rows.add(new OutcomeRow(g, c[0], c[1], c[2], c[3], c[4], c[5])));
        return rows;
    }
}
