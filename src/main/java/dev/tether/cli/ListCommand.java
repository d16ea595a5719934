package dev.tether.cli;

import dev.tether.control.ControlClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Instant;

@Command(name = "list", description = "List active runs (with --all: finished ones too).")
final class ListCommand extends ClientCommand {
    @Option(names = {"-a", "--all"}, description = "Include finished runs.")
    boolean all;

    @Override
    int run(ControlClient client) {
        var runs = client.list(all);
        var now = Instant.now();
        if (json) printJson(runs.stream().map(r -> RunView.of(r, now)).toList());
        else HumanFormat.list(out(), runs, all, now);
        return ExitCodes.OK;
    }
}
