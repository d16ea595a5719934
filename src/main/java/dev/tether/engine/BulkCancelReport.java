package dev.tether.engine;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Every run a bulk cancel addressed, each with its outcome, in the order they were cancelled.
 *
 * @param cancelled the ids a cancel was sent to (what {@code cancel-all} has always listed)
 */
public record BulkCancelReport(List<String> cancelled, List<RunStopReport> runs) {
    public BulkCancelReport {
        cancelled = cancelled == null ? List.of() : List.copyOf(cancelled);
        runs = runs == null ? List.of() : List.copyOf(runs);
    }

    public Map<StopOutcome, Integer> counts() {
        var counts = new EnumMap<StopOutcome, Integer>(StopOutcome.class);
        for (var o : StopOutcome.values()) counts.put(o, 0);
        for (var r : runs) counts.merge(r.outcome(), 1, Integer::sum);
        return counts;
    }

    public List<RunStopReport> stillRunning() {
        return runs.stream().filter(r -> r.outcome() == StopOutcome.STILL_RUNNING).toList();
    }
}
