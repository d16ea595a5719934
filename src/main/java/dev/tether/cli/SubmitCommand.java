package dev.tether.cli;

import dev.tether.api.Inputs;
import dev.tether.control.ControlClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

@Command(name = "submit", description = "Queue a run of GRAPH; prints its run id.")
final class SubmitCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "GRAPH", description = "Graph id (see `tether graphs`).")
    String graph;

    @Option(names = {"-i", "--input"}, paramLabel = "KEY=VALUE",
            description = "Input value, typed like the graph's default for KEY; repeatable.")
    List<String> inputs = new ArrayList<>();

    @Option(names = {"-q", "--queue"}, paramLabel = "QUEUE", description = "Queue (default: the graph's routed queue).")
    String queue;

    @Override
    int run(ControlClient client) {
        var raw = new LinkedHashMap<String, String>();
        for (var pair : inputs) {
            var e = Inputs.splitPair(pair);
            if (raw.put(e.getKey(), e.getValue()) != null) throw new IllegalArgumentException("input '" + e.getKey() + "' is given twice");
        }
        var run = client.submit(graph, queue, raw);
        if (json) printJson(RunView.of(run, Instant.now()));
        else out().println(Terminal.safe(run.runId()));
        return ExitCodes.OK;
    }
}
