package dev.tether.soak;

import dev.tether.testing.Hang;

import dev.tether.control.ControlClient;
import dev.tether.run.CancelMode;
import dev.tether.run.StopLevel;
import dev.tether.run.CancelOrigin;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A few runs of every graph of the mix, one of them cancelled, before the idle reading the soak
 * compares its end with: pools and lazily started threads exist from then on, so only what the
 * soak itself added can show as growth. The runs go into the ledger like any other.
 */
final class WarmUp {
    private WarmUp() {}

    static void run(Supplier<ControlClient> clients, Ledger ledger, java.util.List<LoadGenerator.Choice> mix) throws InterruptedException {
        var random = new Random(0);
        var ids = new ArrayList<String>();
        try (var c = clients.get()) {
            for (int round = 0; round < 2; round++) {
                for (var choice : mix) {
                    var run = c.submit(choice.graph(), null, choice.input().apply(random));
                    ledger.submitted(run.runId(), run.graphId(), null);
                    ids.add(run.runId());
                }
            }
            long at = System.currentTimeMillis();
            var result = c.cancel(ids.getFirst(), new dev.tether.run.CancelRequest(StopLevel.CANCEL, CancelOrigin.API, CancelMode.INTERRUPT, null));
            ledger.cancelled(ids.getFirst(), StopLevel.CANCEL, CancelMode.INTERRUPT, at, result.outcome(), null);
            for (var id : ids) {
                if (c.awaitTerminal(id, Hang.ACROSS_PROCESSES).isEmpty()) throw new IllegalStateException("warm-up run " + id + " did not end");
            }
        }
        Thread.sleep(1_500);
    }
}
