package dev.tether.cli;

import dev.tether.control.ControlClient;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;

@Command(name = "cancel-all", description = "Cancel every active run.")
final class CancelAllCommand extends ClientCommand {
    @Option(names = "--wait", description = "Wait until every cancelled run has stopped.")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --wait: how long in total (default: 30s); exit 5 if runs are still stopping then.")
    Duration timeout = Duration.ofSeconds(30);

    @Override
    int run(ControlClient client) {
        var ids = client.cancelAll();
        var notStopped = new ArrayList<RunSnapshot>();
        if (await) {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (var id : ids) {
                var left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
                var run = client.awaitTerminal(id, left).orElseGet(() -> client.get(id));
                if (!run.isTerminal() || run.status() == RunStatus.STUCK) notStopped.add(run);
            }
        }
        if (json) {
            var m = new LinkedHashMap<String, Object>();
            m.put("cancelled", ids);
            if (await) m.put("notStopped", notStopped.stream().map(r -> java.util.Map.of("runId", r.runId(), "status", r.status().name())).toList());
            printJson(m);
        } else {
            out().println(ids.isEmpty() ? "No active runs." : "Cancel sent to " + ids.size() + (ids.size() == 1 ? " run." : " runs."));
        }
        if (!notStopped.isEmpty()) {
            err().println("tether: " + notStopped.size() + " run(s) not stopped after " + DurationText.of(timeout) + ": "
                    + String.join(", ", notStopped.stream().map(r -> r.shortId() + " " + r.status()).toList()));
            return ExitCodes.WAIT_TIMED_OUT;
        }
        return ExitCodes.OK;
    }
}
