package dev.tether.engine;

import dev.tether.run.CancelOutcome;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunSnapshot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Cancels many runs and reports how each one came out: the same for the console's "Cancel all" and
 * "Cancel selected", {@code tether cancel-all} and {@code POST /api/cancel-all}. It waits (at most
 * {@code wait} in all) until each run has ended or become STUCK, so the report says what happened,
 * not what was asked.
 */
public final class BulkCancel {
    private BulkCancel() {}

    /** Every active run, queued ones first (so a stopped run does not free a slot for the next queued one). */
    public static BulkCancelReport all(RunEngine engine, CancelRequest request, Duration wait) throws InterruptedException {
        return of(engine, engine.activeIdsQueuedFirst(), request, wait);
    }

    /** The runs named (unknown ids are left out), each cancelled as {@code request} says. */
    public static BulkCancelReport of(RunEngine engine, Collection<String> runIds, CancelRequest request,
                                      Duration wait) throws InterruptedException {
        var reached = new LinkedHashMap<String, Boolean>();
        var cancelled = new ArrayList<String>();
        for (var entry : engine.cancelEach(runIds, request).entrySet()) {
            var id = entry.getKey();
            var outcome = entry.getValue();
            if (outcome == CancelOutcome.UNKNOWN_RUN) continue;
            reached.put(id, outcome != CancelOutcome.ALREADY_FINISHED);
            if (outcome == CancelOutcome.CANCELLING || outcome == CancelOutcome.CANCELLED_BEFORE_START) cancelled.add(id);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        var runs = new ArrayList<RunStopReport>(reached.size());
        for (var e : reached.entrySet()) {
            var left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            var run = (left.isZero() ? java.util.Optional.<RunSnapshot>empty() : engine.awaitTerminal(e.getKey(), left))
                    .or(() -> engine.run(e.getKey()));
            run.ifPresent(r -> runs.add(RunStopReport.of(r, e.getValue())));
        }
        return new BulkCancelReport(cancelled, List.copyOf(runs));
    }
}
