package dev.tether.history;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.tether.run.RunSnapshot;

import java.util.List;

/**
 * A page of history, newest first, and where the next (older) page starts: null when there is none.
 * A stored record that could not be read is in {@code runs} as a stand-in that says so (see
 * {@link UnreadableRecord}), never a reason for the whole page to fail.
 */
public record HistoryPage(List<RunSnapshot> runs, String next) {
    public HistoryPage {
        runs = runs == null ? List.of() : List.copyOf(runs);
    }

    public static HistoryPage empty() {
        return new HistoryPage(List.of(), null);
    }

    @JsonIgnore
    public HistoryCursor nextCursor() {
        return next == null ? null : HistoryCursor.parse(next);
    }
}
