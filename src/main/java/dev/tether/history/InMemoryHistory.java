package dev.tether.history;

import dev.tether.run.RunSnapshot;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;

/** Paging over runs already in memory (a registry without a durable store), in the same order as the store. */
public final class InMemoryHistory {
    /** Newest first: sort instant descending, then run id descending (the store's index order). */
    public static final Comparator<RunSnapshot> NEWEST_FIRST = Comparator
            .comparing((RunSnapshot r) -> HistoryCursor.sortInstant(r).toEpochMilli()).thenComparing(RunSnapshot::runId).reversed();

    private InMemoryHistory() {}

    public static HistoryPage page(Collection<RunSnapshot> runs, HistoryQuery q) {
        var wanted = new ArrayList<RunSnapshot>();
        for (var r : runs) {
            var at = HistoryCursor.sortInstant(r);
            if (!q.matches(r.graphId(), r.status(), at) || !q.matchesOrigin(r.cancelOrigin())) continue;
            if (q.cursor() != null && !q.cursor().isBefore(at.toEpochMilli(), r.runId())) continue;
            wanted.add(r);
        }
        wanted.sort(NEWEST_FIRST);
        if (wanted.size() <= q.limit()) return new HistoryPage(wanted, null);
        var page = wanted.subList(0, q.limit());
        return new HistoryPage(page, HistoryCursor.after(page.getLast()).toString());
    }
}
