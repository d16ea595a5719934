package dev.tether.soak;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a sampled series stayed flat. A leak shows as a level that keeps rising; load shows as
 * noise around a level. So, after a warm-up (pools filling, classes loading, the JIT), the series is
 * cut in two halves and the later half's median must not rise above the earlier half's highest
 * value by more than the metric's tolerance: a plateau passes however noisy, a steady climb does
 * not. The slope (Theil-Sen: the median of all pairwise slopes, which outliers do not move) is
 * reported beside it.
 */
final class Growth {
    /** How much a metric may rise beyond its earlier highs: the larger of an absolute and a relative allowance. */
    record Tolerance(long absolute, double relative) {
        long of(long level) {
            return Math.max(absolute, Math.round(level * relative));
        }
    }

    record Verdict(String series, String metric, int samples, long earlierMax, long laterMedian, long allowed,
                   double slopePerMinute, boolean grew) {
        @Override
        public String toString() {
            return String.format("%-40s %4d samples  earlier max %8d  later median %8d  allowed +%-7d slope %+9.1f/min%s",
                    series, samples, earlierMax, laterMedian, allowed, slopePerMinute, grew ? "  GREW" : "");
        }
    }

    static final Map<String, Tolerance> TOLERANCES = Map.of(
            "threads", new Tolerance(6, 0.10),
            "fds", new Tolerance(10, 0.10),
            "heap", new Tolerance(16 * 1024, 0.25),
            "processes", new Tolerance(2, 0.0),
            "redis-persistent-keys", new Tolerance(40, 0.25),
            "redis-clients", new Tolerance(8, 0.25));
    static final int MIN_SAMPLES = 8;
    static final long MIN_SPAN_MILLIS = 16_000;
    static final double WARM_UP = 0.3;

    private Growth() {}

    /** A verdict for every judged series long enough to judge. */
    static List<Verdict> judge(List<ResourceSampler.Sample> samples) {
        var bySeries = new LinkedHashMap<String, List<ResourceSampler.Sample>>();
        for (var s : samples) if (TOLERANCES.containsKey(s.metric())) bySeries.computeIfAbsent(s.series(), k -> new ArrayList<>()).add(s);
        var out = new ArrayList<Verdict>();
        for (var e : bySeries.entrySet()) {
            var series = new ArrayList<>(e.getValue());
            series.sort(Comparator.comparingLong(ResourceSampler.Sample::atMillis));
            if (series.size() < MIN_SAMPLES || series.getLast().atMillis() - series.getFirst().atMillis() < MIN_SPAN_MILLIS) continue;
            var steady = series.subList((int) Math.floor(series.size() * WARM_UP), series.size());
            var earlier = steady.subList(0, steady.size() / 2);
            var later = steady.subList(steady.size() / 2, steady.size());
            long max = earlier.stream().mapToLong(ResourceSampler.Sample::value).max().orElse(0);
            long median = median(later.stream().mapToLong(ResourceSampler.Sample::value).toArray());
            var metric = series.getFirst().metric();
            long allowed = TOLERANCES.get(metric).of(max);
            out.add(new Verdict(e.getKey(), metric, series.size(), max, median, allowed, theilSenPerMinute(steady), median > max + allowed));
        }
        return out;
    }

    static long median(long[] values) {
        if (values.length == 0) return 0;
        var v = values.clone();
        java.util.Arrays.sort(v);
        return v[v.length / 2];
    }

    static double theilSenPerMinute(List<ResourceSampler.Sample> s) {
        var slopes = new ArrayList<Double>();
        for (int i = 0; i < s.size(); i++) {
            for (int j = i + 1; j < s.size(); j++) {
                long dt = s.get(j).atMillis() - s.get(i).atMillis();
                if (dt > 0) slopes.add((s.get(j).value() - s.get(i).value()) * 60_000.0 / dt);
            }
        }
        if (slopes.isEmpty()) return 0;
        slopes.sort(null);
        return slopes.get(slopes.size() / 2);
    }
}
