package dev.tether.cli;

import dev.tether.control.ControlClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.time.Instant;

@Command(name = "status", description = "Show one run: its state, node, steps, runtime, timeline, error.")
final class StatusCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "RUN_ID", description = "Run id, or a unique part of its start or end of at least 8 characters (the short id).")
    String runId;

    @Override
    void checkArguments() {
        runId = runId(runId);
    }

    @Override
    int run(ControlClient client) {
        var run = client.get(runId);
        if (json) printJson(RunView.of(run, Instant.now()));
        else HumanFormat.status(out(), run, Instant.now());
        return ExitCodes.OK;
    }
}
