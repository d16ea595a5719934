package dev.tether.cli;

import dev.tether.control.ControlClient;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;

@Command(name = "cancel", description = "Cancel one run (queued: it never starts; running: stopped at once, inside its node).")
final class CancelCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "RUN_ID", description = "Run id, or a unique part of it.")
    String runId;

    @Option(names = "--wait", description = "Wait until the run has stopped.")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --wait: how long (default: 30s); exit 5 if the run has not stopped by then.")
    Duration timeout = Duration.ofSeconds(30);

    @Override
    int run(ControlClient client) {
        var result = client.cancel(runId);
        RunSnapshot run = result.run();
        if (await && !run.isTerminal()) run = client.awaitTerminal(result.runId(), timeout).orElseGet(() -> client.get(result.runId()));
        var now = Instant.now();
        boolean stopped = run.isTerminal() && run.status() != RunStatus.STUCK;
        if (json) {
            var m = new LinkedHashMap<String, Object>();
            m.put("runId", result.runId());
            m.put("outcome", result.outcome().name());
            m.put("run", RunView.of(run, now));
            printJson(m);
        } else {
            out().println(run.shortId() + ": " + describe(result.outcome()) + "; now " + run.status()
                    + (run.cancelLatency() != null ? " (cancel took " + run.cancelLatency().toMillis() + " ms)" : ""));
        }
        if (await && !stopped) {
            err().println("tether: run " + run.shortId() + " is " + run.status() + " after " + DurationText.of(timeout)
                    + (run.status() == RunStatus.STUCK ? ": it ignored the cancel and still holds its thread" : ": it has not stopped yet"));
            return ExitCodes.WAIT_TIMED_OUT;
        }
        return ExitCodes.OK;
    }

    static String describe(dev.tether.engine.CancelOutcome o) {
        return switch (o) {
            case CANCELLED_BEFORE_START -> "cancelled before it started";
            case CANCELLING -> "cancel sent";
            case ALREADY_CANCELLING -> "already being cancelled";
            case ALREADY_FINISHED -> "already finished";
            case UNKNOWN_RUN -> "unknown run";
        };
    }
}
