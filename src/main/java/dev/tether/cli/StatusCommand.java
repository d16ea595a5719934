package dev.tether.cli;

import dev.tether.control.ControlClient;
import dev.tether.run.RunSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.time.Instant;

@Command(name = "status", description = "Show one run: its state, node, steps, runtime, timeline, error, attempts and checkpoints.")
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
        var attempts = client.attempts(run.runId());
        var checkpoints = client.checkpoints(run.runId());
        if (json) {
            // The run's published fields, then its attempts (ids, oldest first) and checkpoints.
            var view = dev.tether.json.Json.mapper().convertValue(RunView.of(run, Instant.now()),
                    new com.fasterxml.jackson.core.type.TypeReference<java.util.LinkedHashMap<String, Object>>() {});
            view.put("attempts", attempts.stream().map(RunSnapshot::runId).toList());
            view.put("checkpoints", checkpoints);
            printJson(view);
        } else {
            HumanFormat.status(out(), run, Instant.now());
            HumanFormat.attemptsAndCheckpoints(out(), run, attempts, checkpoints);
        }
        return ExitCodes.OK;
    }
}
