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

    static void status(PrintWriter out, RunSnapshot r, Instant now) {
        out.println("Run " + safe(r.runId()) + ":");
        out.println("  Graph: " + safe(r.graphId()));
        out.println("  Queue: " + safe(r.queue()));
        out.println("  Worker: " + dash(safe(r.worker())));
        out.println("  Status: " + r.status());
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
        if (r.error() != null) out.println("  Error: " + safe(r.error().summary()));
        if (!r.timeline().isEmpty()) {
            out.println("  Timeline:");
            var end = r.endedAt() != null ? r.endedAt() : now;
            for (var s : r.timeline()) {
                out.printf("    %-20s %10.1f ms  %s%n", safe(s.node()), s.duration(end).toNanos() / 1e6, s.outcome());
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
