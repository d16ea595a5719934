package dev.tether.cli;

import dev.tether.run.RunSnapshot;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/** Output for people; every text that comes from a graph, node or worker goes through {@link Terminal#safe}. */
final class HumanFormat {
    private HumanFormat() {}

    static void list(PrintWriter out, List<RunSnapshot> runs, boolean all, Instant now) {
        out.println((all ? "Graph executions" : "Active graph executions") + ": " + runs.size());
        for (var r : runs) {
            out.println("  - Run ID: " + safe(r.runId()) + "  (" + safe(r.shortId()) + ")");
            out.println("    Graph: " + safe(r.graphId()) + "   Queue: " + safe(r.queue()) + "   Worker: " + dash(safe(r.worker())));
            out.println("    Status: " + r.status() + "   Node: " + dash(safe(r.currentNode())) + "   Steps: " + r.steps());
            out.println("    Runtime: " + seconds(r, now) + "   Cancellable: " + (r.isCancellable() ? "yes" : "no"));
        }
    }

    /** One line per run, newest first: the history table of `list --all`. */
    static void history(PrintWriter out, List<RunSnapshot> runs, Instant now) {
        if (runs.isEmpty()) {
            out.println("No runs in the history.");
            return;
        }
        out.printf("%-8s  %-20s  %-10s  %-31s  %9s  %s%n", "RUN", "GRAPH", "STATUS", "ENDED (UTC)", "RUNTIME", "NOTE");
        for (var r : runs) {
            var when = r.endedAt() != null ? r.endedAt() : r.submittedAt();
            out.printf("%-8s  %-20s  %-10s  %-31s  %9s  %s%n", safe(r.shortId()), clip(safe(r.graphId()), 20), r.status(),
                    when == null ? "-" : (r.endedAt() == null ? "(submitted) " : "") + WHEN.format(when),
                    String.format(java.util.Locale.ROOT, "%.1fs", r.runtime(now).toMillis() / 1000.0), dash(safe(note(r))));
        }
    }

    private static final java.time.format.DateTimeFormatter WHEN =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(java.time.ZoneOffset.UTC);

    /** What an operator reads first about a run's end: the error, or where it was cancelled. */
    private static String note(RunSnapshot r) {
        if (r.error() != null) return r.error().message() == null ? r.error().type() : r.error().message();
        if (r.status() == dev.tether.run.RunStatus.CANCELLED) {
            return "cancelled at " + (r.cancelledAtNode() == null ? "start" : r.cancelledAtNode())
                    + (r.cancelReason() == null ? "" : " (" + r.cancelReason() + ")");
        }
        if (r.waiting() != null) return r.waiting();
        return r.isTerminal() ? null : r.currentNode();
    }

    private static String clip(String s, int width) {
        return s == null || s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }

    static void status(PrintWriter out, RunSnapshot r, Instant now) {
        out.println("Run " + safe(r.runId()) + ":");
        out.println("  Graph: " + safe(r.graphId()));
        out.println("  Queue: " + safe(r.queue()));
        out.println("  Worker: " + dash(safe(r.worker())));
        out.println("  Status: " + r.status());
        if (r.resumeOf() != null) {
            out.println("  Resumes: " + safe(r.resumeOf().runId()) + " after node " + safe(r.resumeOf().node()));
        }
        out.println("  Current node: " + dash(safe(r.currentNode())));
        out.println("  Steps: " + r.steps());
        out.println("  Submitted: " + dash(r.submittedAt()));
        out.println("  Started: " + dash(r.startedAt()));
        out.println("  Ended: " + dash(r.endedAt()));
        out.println("  Runtime: " + seconds(r, now));
        out.println("  Cancellable: " + (r.isCancellable() ? "yes" : "no"));
        if (r.cancelRequestedAt() != null) {
            out.println("  Cancel requested: " + r.cancelRequestedAt() + asked(r));
            if (r.cancelledAtNode() != null) out.println("  Cancelled at node: " + safe(r.cancelledAtNode()));
            if (r.cancelLatency() != null) out.println("  Cancel took: " + r.cancelLatency().toMillis() + " ms");
            if (r.forced()) out.println("  Forced: yes (its process was killed; it and every process it started are gone)");
            if (r.status() == dev.tether.run.RunStatus.STUCK) {
                out.println("  Hint: its node ignored the cancel; run graph " + r.graphId() + " with process isolation"
                        + " (isolation.properties: " + r.graphId() + " = process) to have it killed next time");
            }
        }
        if (r.cancelReason() != null) out.println("  Stopped by its policy: " + safe(r.cancelReason()));
        if (r.error() != null) out.println("  Error: " + safe(r.error().summary()));
        if (r.waiting() != null) out.println("  Waiting: " + safe(r.waiting()));
        if (r.retry() != null) {
            out.println("  Retry: " + r.retry().label() + " of run " + safe(r.retry().previous()) + ", due " + r.retry().due()
                    + "; it followed " + safe(r.retry().after()));
        }
        if (r.policy() != null) {
            out.println("  Policy:");
            r.policy().values().forEach((k, v) -> out.printf("    %-22s %-12s (%s)%n", k, safe(v), safe(r.policy().sources().getOrDefault(k, "-"))));
        }
        if (!r.timeline().isEmpty()) {
            out.println("  Timeline:");
            var end = r.endedAt() != null ? r.endedAt() : now;
            for (var s : r.timeline()) {
                out.printf("    %-20s %10.1f ms  %s%n", safe(s.node()), s.duration(end).toNanos() / 1e6, s.outcome());
            }
        }
    }

    /** A run's attempts (the first and its resumes) and its checkpoints, after its status. */
    static void attemptsAndCheckpoints(PrintWriter out, RunSnapshot r, java.util.List<RunSnapshot> attempts,
                                       java.util.List<dev.tether.engine.CheckpointInfo> checkpoints) {
        if (attempts.size() > 1) {
            out.println("  Attempts:");
            for (var a : attempts) {
                out.printf("    %s %-10s %s%s%n", safe(a.shortId()), a.status(), a.resumeOf() == null ? "first attempt"
                        : "after " + safe(a.resumeOf().node()) + " of " + safe(a.resumeOf().runId().substring(Math.max(0, a.resumeOf().runId().length() - 8))),
                        a.runId().equals(r.runId()) ? "  (this one)" : "");
            }
        }
        if (!checkpoints.isEmpty()) {
            out.println("  Checkpoints (resume --from NODE):");
            for (var c : checkpoints) {
                out.printf("    after %-20s %s  %s%s%n", safe(c.node()), c.at() == null ? "-" : c.at().truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                        c.bytes() < 0 ? "" : c.bytes() + " B", c.readable() ? "" : "  UNREADABLE: " + safe(c.error()));
            }
        }
    }

    static String seconds(RunSnapshot r, Instant now) {
        return String.format("%.1fs", r.runtime(now).toMillis() / 1000.0);
    }

    /** " (level cancel, by CLI)": the stop level used and who asked, when the record says. */
    private static String asked(RunSnapshot r) {
        if (r.stopLevel() == null && r.cancelOrigin() == null) return "";
        return " (level " + (r.stopLevel() == null ? "cancel" : r.stopLevel())
                + (r.cancelOrigin() == null ? "" : ", by " + r.cancelOrigin().name()) + ")";
    }

    private static String safe(Object o) {
        return Terminal.safe(o);
    }

    private static String dash(Object o) {
        return o == null ? "-" : o.toString();
    }
}
