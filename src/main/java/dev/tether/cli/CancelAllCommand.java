package dev.tether.cli;

import dev.tether.control.ControlClient;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;

@Command(name = "cancel-all", description = "Cancel every active run.")
final class CancelAllCommand extends ClientCommand {
    @Mixin WaitOptions waiting = new WaitOptions();

    @Override
    int run(ControlClient client) {
        var ids = client.cancelAll();
        var notStopped = new ArrayList<RunSnapshot>();
        if (waiting.await) {
            long deadline = System.nanoTime() + waiting.timeout.toNanos();
            for (var id : ids) {
                var left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
                var run = client.awaitTerminal(id, left).orElseGet(() -> client.get(id));
                if (!run.isTerminal() || run.status() == RunStatus.STUCK) notStopped.add(run);
            }
        }
        if (json) {
            var m = new LinkedHashMap<String, Object>();
            m.put("cancelled", ids);
            if (waiting.await) m.put("notStopped", notStopped.stream().map(r -> java.util.Map.of("runId", r.runId(), "status", r.status().name())).toList());
            printJson(m);
        } else {
            out().println(ids.isEmpty() ? "No active runs." : "Cancel sent to " + ids.size() + (ids.size() == 1 ? " run." : " runs."));
        }
        if (!notStopped.isEmpty()) {
            err().println("tether: " + notStopped.size() + " run(s) not stopped after " + DurationText.of(waiting.timeout) + ": "
                    + String.join(", ", notStopped.stream().map(r -> Terminal.safe(r.shortId()) + " " + r.status()).toList()));
            return ExitCodes.WAIT_TIMED_OUT;
        }
        return ExitCodes.OK;
    }
}
