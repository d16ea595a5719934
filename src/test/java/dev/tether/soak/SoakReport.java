package dev.tether.soak;

import dev.tether.run.CancelMode;
import dev.tether.run.StopLevel;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The soak's figures for one mode, printed at its end and written to {@code target/soak/}: runs by
 * end, faults by kind, cancels by level and mode, cancel-alls, resumes, forced kills, cancel latency
 * (request to stopped) p50 / p99 / max, requests that got no answer, the resource series, and the
 * leaks and broken promises found (0 each on a pass).
 */
final class SoakReport {
    private final StringBuilder text = new StringBuilder();

    SoakReport(SoakConfig config, Instant started, String loadBefore) {
        line("== soak: " + config.mode() + " mode ==");
        line("load " + config.load().toSeconds() + " s at " + config.submitsPerSecond() + " submits/s, seed " + config.seed()
                + " (-Dsoak.seed=" + config.seed() + " replays the choices), started " + started);
        line("machine: " + Runtime.getRuntime().availableProcessors() + " cores, load average before " + loadBefore);
    }

    void line(String s) {
        text.append(s).append('\n');
    }

    void runs(Collection<RunSnapshot> runs, Ledger ledger) {
        var byStatus = new EnumMap<RunStatus, Integer>(RunStatus.class);
        var byGraph = new TreeMap<String, Integer>();
        for (var r : runs) {
            byStatus.merge(r.status(), 1, Integer::sum);
            byGraph.merge(r.graphId(), 1, Integer::sum);
        }
        long resumes = ledger.runs().values().stream().filter(s -> s.resumeOf() != null).count();
        line("runs: " + runs.size() + " (" + (ledger.runs().size() - resumes) + " submitted, " + resumes + " resumes, "
                + runs.stream().filter(r -> !ledger.runs().containsKey(r.runId())).count() + " from submits that lost their answer)");
        line("  by end: " + byStatus);
        line("  by graph: " + byGraph);
        line("  forced kills: " + runs.stream().filter(RunSnapshot::forced).count() + ", STUCK: " + byStatus.getOrDefault(RunStatus.STUCK, 0)
                + ", LOST: " + byStatus.getOrDefault(RunStatus.LOST, 0) + ", FAILED: " + byStatus.getOrDefault(RunStatus.FAILED, 0));
        var failures = new TreeMap<String, Integer>();
        for (var r : runs) {
            if ((r.status() == RunStatus.FAILED || r.status() == RunStatus.LOST) && r.error() != null) {
                failures.merge(r.status() + " " + shortReason(r.error().message()), 1, Integer::sum);
            }
        }
        failures.forEach((k, v) -> line("    " + v + " x " + k));
    }

    private static String shortReason(String message) {
        if (message == null) return "?";
        var m = message.replaceAll("\\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\\b", "RUN").replaceAll("\\d+", "N");
        return m.length() > 110 ? m.substring(0, 110) + "…" : m;
    }

    void faults(FaultSchedule schedule) {
        line("faults: " + schedule.injected().stream().filter(i -> i.error() == null).count() + " injected, by kind " + schedule.byKind());
        for (var f : schedule.injected()) {
            line("  " + f.start() + " " + f.kind() + " (" + f.took().toMillis() + " ms): " + (f.error() == null ? f.detail() : "FAILED " + f.error()));
        }
    }

    void cancels(Ledger ledger, Collection<RunSnapshot> runs) {
        var byLevel = new EnumMap<StopLevel, Map<String, Integer>>(StopLevel.class);
        var byMode = new EnumMap<CancelMode, Integer>(CancelMode.class);
        for (var c : ledger.cancels()) {
            byLevel.computeIfAbsent(c.level(), k -> new TreeMap<>()).merge(c.outcome() == null ? "no answer: " + c.error() : c.outcome().name(), 1, Integer::sum);
            byMode.merge(c.mode(), 1, Integer::sum);
        }
        line("cancels: " + ledger.cancels().size() + " by mode " + byMode + "; cancel-alls " + ledger.cancelAlls() + " (" + ledger.cancelAllRuns() + " runs)");
        byLevel.forEach((level, outcomes) -> line("  " + level.label() + ": " + outcomes.values().stream().mapToInt(i -> i).sum() + " " + outcomes));
        long ok = ledger.resumes().stream().filter(r -> r.newRunId() != null).count();
        line("resumes: " + ledger.resumes().size() + " asked, " + ok + " started, " + (ledger.resumes().size() - ok) + " refused (not resumable)");
        var latencies = new ArrayList<Long>();
        var byLevelLatency = new TreeMap<String, List<Long>>();
        for (var r : runs) {
            if (r.status() != RunStatus.CANCELLED || r.startedAt() == null || r.cancelLatency() == null) continue;
            latencies.add(r.cancelLatency().toMillis());
            byLevelLatency.computeIfAbsent(String.valueOf(r.stopLevel()) + (r.forced() ? " (forced)" : ""), k -> new ArrayList<>()).add(r.cancelLatency().toMillis());
        }
        line("cancel latency (request to stopped, runs that had started): " + percentiles(latencies));
        byLevelLatency.forEach((level, l) -> line("  " + level + ": " + percentiles(l)));
        line("requests without an answer: " + ledger.unanswered());
    }

    static String percentiles(List<Long> values) {
        if (values.isEmpty()) return "none";
        var v = new ArrayList<>(values);
        v.sort(null);
        return v.size() + " runs, p50 " + v.get(Math.min(v.size() - 1, (int) Math.ceil(v.size() * 0.50) - 1)) + " ms, p99 "
                + v.get(Math.min(v.size() - 1, (int) Math.ceil(v.size() * 0.99) - 1)) + " ms, max " + v.getLast() + " ms";
    }

    void resources(List<ResourceSampler.Sample> samples, List<Growth.Verdict> verdicts, List<String> leaks) {
        var ranges = new TreeMap<String, long[]>();
        for (var s : samples) {
            var r = ranges.computeIfAbsent(s.metric(), k -> new long[]{Long.MAX_VALUE, Long.MIN_VALUE, 0});
            r[0] = Math.min(r[0], s.value());
            r[1] = Math.max(r[1], s.value());
            r[2]++;
        }
        line("resources sampled (" + samples.size() + " readings):");
        ranges.forEach((metric, r) -> line("  " + metric + ": " + r[2] + " readings, min " + r[0] + ", max " + r[1]));
        line("growth verdicts (series sampled long enough to judge):");
        for (var v : verdicts) line("  " + v);
        line("leaks: " + leaks.size());
        for (var l : leaks) line("  LEAK " + l);
    }

    void violations(List<String> violations) {
        line("broken promises: " + violations.size());
        for (var v : violations) line("  " + v);
    }

    void files(java.nio.file.Path dir) {
        line("logs of every process (serve, workers, redis-server), the node log: " + dir);
    }

    void took(Duration total, String loadAfter) {
        line("took " + total.toSeconds() + " s in all; load average after " + loadAfter);
    }

    String text() {
        return text.toString();
    }

    /** Prints it and writes it to target/soak/report-MODE.txt (and appends it to target/soak/report.txt). */
    void publish(String mode) {
        System.out.println(text);
        try {
            var dir = Files.createDirectories(Path.of("target", "soak"));
            Files.writeString(dir.resolve("report-" + mode + ".txt"), text);
            Files.writeString(dir.resolve("report.txt"), text + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
