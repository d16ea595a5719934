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

    @Option(names = "--max-runtime", paramLabel = "DURATION", description = "Stop the run (as a cancel would) once it has run this long, e.g. 10m.")
    String maxRuntime;

    @Option(names = "--max-queued", paramLabel = "DURATION", description = "Never start it if it is still waiting after this long.")
    String maxQueued;

    @Option(names = "--max-node-time", paramLabel = "DURATION", description = "Stop the run once one node has run this long.")
    String maxNodeTime;

    @Option(names = "--max-steps", paramLabel = "N", description = "Stop the run before it would start node execution N+1.")
    String maxSteps;

    @Option(names = "--retries", paramLabel = "N", description = "Attempts after the first, each resuming after the last good node.")
    String retries;

    @Option(names = "--retry-delay", paramLabel = "DURATION", description = "Wait before the first retry (default 1s).")
    String retryDelay;

    @Option(names = "--retry-multiplier", paramLabel = "X", description = "Each further wait is the previous times X (default 2).")
    String retryMultiplier;

    @Option(names = "--retry-max-delay", paramLabel = "DURATION", description = "No wait is longer (default 5m).")
    String retryMaxDelay;

    @Option(names = "--retry-jitter", paramLabel = "SHARE", description = "Shorten each wait by a random share up to this, 0 to 1 (default 0.1).")
    String retryJitter;

    @Option(names = "--retry-on", paramLabel = "OUTCOMES", description = "Which endings retry: failed, lost, deadline (default failed,lost).")
    String retryOn;

    @Option(names = "--retry-errors", paramLabel = "TYPES", description = "Retry a failure only of these exception types (class names, comma-separated).")
    String retryErrors;

    /** The run's own policy as typed (keys as in policies.properties); null when none is given. */
    dev.tether.run.RunPolicy policy() {
        var values = new LinkedHashMap<String, String>();
        put(values, "max-runtime", maxRuntime);
        put(values, "max-queued", maxQueued);
        put(values, "max-node-time", maxNodeTime);
        put(values, "max-steps", maxSteps);
        put(values, "retries", retries);
        put(values, "retry-delay", retryDelay);
        put(values, "retry-multiplier", retryMultiplier);
        put(values, "retry-max-delay", retryMaxDelay);
        put(values, "retry-jitter", retryJitter);
        put(values, "retry-on", retryOn);
        put(values, "retry-errors", retryErrors);
        return values.isEmpty() ? null : dev.tether.run.RunPolicy.ofRun(values);
    }

    private static void put(java.util.Map<String, String> values, String key, String value) {
        if (value != null) values.put(key, value);
    }

    @Override
    void checkArguments() {
        policy(); // a bad value is exit 2 before anything is asked of a running instance
    }

    @Override
    int run(ControlClient client) {
        var raw = new LinkedHashMap<String, String>();
        for (var pair : inputs) {
            var e = Inputs.splitPair(pair);
            if (raw.put(e.getKey(), e.getValue()) != null) throw new IllegalArgumentException("input '" + e.getKey() + "' is given twice");
        }
        var run = client.submit(graph, queue, raw, policy());
        if (json) printJson(RunView.of(run, Instant.now()));
        else out().println(Terminal.safe(run.runId()));
        return ExitCodes.OK;
    }
}
