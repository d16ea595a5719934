package dev.tether.history;

/** Where pages of run history come from: the embedded store, Redis, or the runs held in memory. */
@FunctionalInterface
public interface HistorySource {
    /** @throws RuntimeException when the history cannot be read at all (a single bad record never fails it) */
    HistoryPage page(HistoryQuery query);
}
