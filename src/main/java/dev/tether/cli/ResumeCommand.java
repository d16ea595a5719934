package dev.tether.cli;

import dev.tether.control.ControlClient;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;

@Command(name = "resume", description = {"Start a new attempt of a finished run (cancelled, failed, stuck, lost) from its checkpoint:",
        "only the nodes after it run again. Prints the new run's id; `tether status` lists a run's attempts and checkpoints."})
final class ResumeCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run to resume: its id, or a unique part of at least 8 characters.")
    String runId;

    @Option(names = "--from", paramLabel = "NODE",
            description = "Continue after this completed node (__START__: from the beginning, same input); default: after the last one.")
    String from;

    @Option(names = "--wait", description = "Wait until the new attempt has ended; exit 1 unless it COMPLETED.")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --wait: how long (default: 10m); exit 5 if it has not ended by then.")
    java.time.Duration timeout = java.time.Duration.ofMinutes(10);

    @Override
    void checkArguments() {
        runId = runId(runId);
        if (from != null && from.isBlank()) throw new IllegalArgumentException("--from needs a node name");
    }

    @Override
    int run(ControlClient client) {
        RunSnapshot run = client.resume(runId, from);
        var id = run.runId();
        if (await && !run.isTerminal()) {
            run = client.awaitTerminal(id, timeout).orElseGet(() -> client.get(id));
        }
        if (json) printJson(RunView.of(run, Instant.now()));
        else if (await) HumanFormat.status(out(), run, Instant.now());
        else out().println(Terminal.safe(id));
        if (await && !run.isTerminal()) {
            err().println("tether: run " + Terminal.safe(run.shortId()) + " is " + run.status() + " after " + DurationText.of(timeout));
            return ExitCodes.WAIT_TIMED_OUT;
        }
        return await && run.status() != RunStatus.COMPLETED ? ExitCodes.FAILED : ExitCodes.OK;
    }
}
