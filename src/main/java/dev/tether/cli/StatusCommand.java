package dev.tether.cli;

import dev.tether.control.ControlClient;
import dev.tether.control.ControlException;
import dev.tether.engine.CheckpointInfo;
import dev.tether.run.RunSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.List;

@Command(name = "status", description = {"Show one run: its state, node, steps, runtime, timeline, error, attempts and checkpoints.",
        "With no console or server running, a run of the history is read from the store under the Tether home, as list --all does."})
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
        print(run, client.attempts(run.runId()), client.checkpoints(run.runId()));
        return ExitCodes.OK;
    }

    /**
     * No console or server runs: the run as the embedded store has it (read only; nothing is marked
     * LOST), so that `status` answers for every run `list --all` lists then too. A run the store does
     * not hold is still the unreachable error: it may live where this command cannot see.
     */
    @Override
    Integer withoutInstance(ControlException unreachable) {
        if (dev.tether.redis.RedisSettings.fromOptionOrEnv(redis) != null) return null;
        var file = dev.tether.store.TetherDatabase.defaultFile();
        if (!java.nio.file.Files.exists(file)) return null;
        try (var history = dev.tether.store.RunHistory.open(file)) {
            RunSnapshot run;
            try {
                run = history.find(runId).orElse(null);
            } catch (IllegalArgumentException ambiguous) {
                throw new ControlException(ControlException.Kind.BAD_INPUT, ambiguous.getMessage() + "; give more characters");
            }
            if (run == null) return null;
            var attempts = dev.tether.engine.Attempts.of(run.runId(), history::find, new dev.tether.registry.RunRegistry());
            List<CheckpointInfo> checkpoints;
            try (var db = dev.tether.store.TetherDatabase.open(file)) {
                checkpoints = new dev.tether.store.SqliteCheckpointStore(db, dev.tether.store.SqliteCheckpointStore.Limits.DEFAULT)
                        .describe(run.runId());
            }
            print(run, attempts, checkpoints);
            return ExitCodes.OK;
        } catch (dev.tether.store.StoreException e) {
            throw new ControlException(ControlException.Kind.SERVER_ERROR, "cannot read the history: " + e.getMessage(), e);
        }
    }

    private void print(RunSnapshot run, List<RunSnapshot> attempts, List<CheckpointInfo> checkpoints) {
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
    }
}
