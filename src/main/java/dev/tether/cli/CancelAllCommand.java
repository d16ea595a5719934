package dev.tether.cli;

import dev.tether.control.ControlClient;
import dev.tether.engine.BulkCancelReport;
import dev.tether.engine.RunStopReport;
import dev.tether.engine.StopOutcome;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

@Command(name = "cancel-all", description = {"Cancel every active run and report how each one came out:",
        "stopped cleanly (with its latency), forced, still running (STUCK) or already finished.",
        "Waits up to --timeout (default 30s) for the outcomes; with --wait, a run not stopped by then is exit 5."})
final class CancelAllCommand extends ClientCommand {
    @Mixin WaitOptions waiting = new WaitOptions();

    @Override
    int run(ControlClient client) {
        var report = client.cancelAll(CancelRequest.by(CancelOrigin.CLI), waiting.timeout);
        var notStopped = report.stillRunning();
        if (json) {
            printJson(json(report, waiting.await));
        } else if (report.runs().isEmpty()) {
            out().println("No active runs.");
        } else {
            table(report);
        }
        if (waiting.await && !notStopped.isEmpty()) {
            err().println("tether: " + notStopped.size() + " run(s) not stopped after " + DurationText.of(waiting.timeout) + ": "
                    + String.join(", ", notStopped.stream().map(r -> Terminal.safe(r.shortId()) + " " + r.status()).toList()));
            return ExitCodes.WAIT_TIMED_OUT;
        }
        return ExitCodes.OK;
    }

    /** {cancelled, notStopped (with --wait, as before), runs: one object per run with its outcome}. */
    static Map<String, Object> json(BulkCancelReport report, boolean await) {
        var m = new LinkedHashMap<String, Object>();
        m.put("cancelled", report.cancelled());
        if (await) m.put("notStopped", report.stillRunning().stream().map(r -> Map.of("runId", r.runId(), "status", r.status().name())).toList());
        m.put("runs", report.runs().stream().map(CancelAllCommand::json).toList());
        return m;
    }

    private static Map<String, Object> json(RunStopReport r) {
        var m = new LinkedHashMap<String, Object>();
        m.put("runId", r.runId());
        m.put("shortId", r.shortId());
        m.put("graph", r.graphId());
        m.put("worker", r.worker());
        m.put("outcome", r.outcome().name());
        m.put("status", r.status() == null ? null : r.status().name());
        m.put("cancelLatencyMillis", r.cancelLatencyMillis());
        m.put("stopLevel", r.stopLevel() == null ? null : r.stopLevel().label());
        m.put("cancelOrigin", r.cancelOrigin() == null ? null : r.cancelOrigin().name());
        return m;
    }

    private void table(BulkCancelReport report) {
        var rows = new java.util.ArrayList<List<String>>();
        rows.add(List.of("RUN", "GRAPH", "OUTCOME", "LATENCY", "STATUS", "WORKER"));
        for (var r : report.runs()) {
            rows.add(List.of(Terminal.safe(r.shortId()), Terminal.safe(r.graphId()), label(r.outcome()),
                    r.cancelLatencyMillis() == null ? "-" : r.cancelLatencyMillis() + " ms", String.valueOf(r.status()),
                    r.worker() == null ? "-" : Terminal.safe(r.worker())));
        }
        int[] width = new int[rows.getFirst().size()];
        for (var row : rows) for (int i = 0; i < row.size(); i++) width[i] = Math.max(width[i], row.get(i).length());
        for (var row : rows) {
            var line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : String.format(Locale.ROOT, "%-" + (width[i] + 2) + "s", row.get(i)));
            }
            out().println(line.toString().stripTrailing());
        }
        var c = report.counts();
        out().println(report.runs().size() + (report.runs().size() == 1 ? " run: " : " runs: ")
                + c.get(StopOutcome.STOPPED_CLEANLY) + " stopped cleanly, " + c.get(StopOutcome.FORCED) + " forced, "
                + c.get(StopOutcome.STILL_RUNNING) + " still running, " + c.get(StopOutcome.ALREADY_FINISHED) + " already finished");
    }

    /** The outcome as a person reads it: "stopped cleanly", "forced", "still running", "already finished". */
    static String label(StopOutcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
