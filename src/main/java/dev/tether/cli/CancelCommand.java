package dev.tether.cli;

import dev.tether.control.ControlClient;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import picocli.CommandLine.Command;
import dev.tether.run.StopLevel;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.LinkedHashMap;

@Command(name = "cancel", description = {"Cancel one run (queued: it never starts; running: stopped at once, inside its node).",
        "--level after-node: no interrupt, the run stops at its next node boundary; cancel (default): boundary + interrupt + token;",
        "kill: process isolation only, its child JVM and everything it started are destroyed now (in thread mode: as cancel)."})
final class CancelCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "RUN_ID", description = "Run id, or a unique part of its start or end of at least 8 characters (the short id).")
    String runId;

    @Mixin WaitOptions waiting = new WaitOptions();

    @Option(names = "--level", paramLabel = "LEVEL", converter = StopLevelConverter.class,
            description = "after-node, cancel (default) or kill; a stronger level escalates a cancel under way.")
    StopLevel level = StopLevel.CANCEL;

    @Option(names = "--mode", paramLabel = "MODE", converter = CancelModeConverter.class,
            description = "interrupt (default): keep its checkpoints, so `tether resume` can continue it; rollback: discard them once it stopped.")
    dev.tether.run.CancelMode mode = dev.tether.run.CancelMode.INTERRUPT;

    @Override
    void checkArguments() {
        runId = runId(runId);
    }

    @Override
    int run(ControlClient client) {
        var result = client.cancel(runId, new CancelRequest(level, CancelOrigin.CLI, mode, null));
        RunSnapshot run = result.run();
        if (waiting.await && !run.isTerminal()) {
            run = client.awaitTerminal(result.runId(), waiting.timeout).orElseGet(() -> client.get(result.runId()));
        }
        var now = Instant.now();
        boolean stopped = run.isTerminal() && run.status() != RunStatus.STUCK;
        if (json) {
            var m = new LinkedHashMap<String, Object>();
            m.put("runId", result.runId());
            m.put("outcome", result.outcome().name());
            m.put("run", RunView.of(run, now));
            printJson(m);
        } else {
            out().println(Terminal.safe(run.shortId()) + ": " + describe(result.outcome()) + "; now " + run.status()
                    + (run.forced() ? " (forced)" : "")
                    + (run.cancelLatency() != null ? " (cancel took " + run.cancelLatency().toMillis() + " ms)" : ""));
        }
        if (waiting.await && !stopped) {
            err().println("tether: run " + Terminal.safe(run.shortId()) + " is " + run.status() + " after " + DurationText.of(waiting.timeout)
                    + (run.status() == RunStatus.STUCK ? ": it ignored the cancel and still holds its thread"
                    + " (to have it killed next time, run graph " + Terminal.safe(run.graphId()) + " with process isolation)"
                    : ": it has not stopped yet"));
            return ExitCodes.WAIT_TIMED_OUT;
        }
        return ExitCodes.OK;
    }

    static String describe(dev.tether.run.CancelOutcome o) {
        return switch (o) {
            case CANCELLED_BEFORE_START -> "cancelled before it started";
            case CANCELLING -> "cancel sent";
            case ALREADY_CANCELLING -> "already being cancelled";
            case ALREADY_FINISHED -> "already finished";
            case UNKNOWN_RUN -> "unknown run";
        };
    }
}
