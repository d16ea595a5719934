package dev.tether.console;

import dev.tether.history.HistoryCursor;
import dev.tether.history.HistoryPage;
import dev.tether.history.HistoryQuery;
import dev.tether.history.InMemoryHistory;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The History panel: one page of finished runs, newest first, read from the engine's history (the
 * durable store when there is one) off the FX thread, with filters and paging. Runs that end while
 * the newest page is shown join it at once. FX thread only, except the loader.
 */
final class HistoryModel {
    /** The statuses of finished runs: what the panel shows and filters by. */
    static final Set<RunStatus> FINISHED = Set.copyOf(Arrays.stream(RunStatus.values()).filter(RunStatus::isTerminal).toList());

    /** The time ranges offered, as an operator names them. */
    enum Range {
        ALL("All time", null), HOUR("Last hour", Duration.ofHours(1)), DAY("Last 24 hours", Duration.ofDays(1)),
        WEEK("Last 7 days", Duration.ofDays(7));

        final String label;
        final Duration span;

        Range(String label, Duration span) {
            this.label = label;
            this.span = span;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final Function<HistoryQuery, CompletableFuture<HistoryPage>> loader;
    private final Executor fx;
    private final int pageSize;
    private final ObservableList<RunSnapshot> runs = FXCollections.observableArrayList();
    private final ObservableList<RunSnapshot> readOnly = FXCollections.unmodifiableObservableList(runs);
    private final ReadOnlyBooleanWrapper hasOlder = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper hasNewer = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper position = new ReadOnlyStringWrapper("");
    /** Where each page shown before the current one started (null: the newest); the current page's start on top. */
    private final Deque<HistoryCursor> starts = new ArrayDeque<>();
    private HistoryCursor currentStart;
    private String next;
    private String graph;
    private dev.tether.run.CancelOrigin origin;
    private Set<RunStatus> statuses = FINISHED;
    private Range range = Range.ALL;
    private long generation;

    /**
     * @param loader reads a page (off the FX thread)
     * @param fx     where results are applied (the FX thread)
     */
    HistoryModel(Function<HistoryQuery, CompletableFuture<HistoryPage>> loader, Executor fx, int pageSize) {
        this.loader = loader;
        this.fx = fx;
        this.pageSize = pageSize;
    }

    /** Read-only: loading a page and {@link #add} are the only ways in. */
    ObservableList<RunSnapshot> runs() {
        return readOnly;
    }

    ReadOnlyBooleanProperty hasOlder() {
        return hasOlder.getReadOnlyProperty();
    }

    ReadOnlyBooleanProperty hasNewer() {
        return hasNewer.getReadOnlyProperty();
    }

    ReadOnlyBooleanProperty loading() {
        return loading.getReadOnlyProperty();
    }

    /** "Newest 100", "Page 3", or why the history could not be read. */
    ReadOnlyStringProperty position() {
        return position.getReadOnlyProperty();
    }

    /** New filters: back to the newest page. {@code graph} null for all; {@code status} null for every finished status. */
    void filter(String graph, RunStatus status, Range range) {
        filter(graph, status, range, null);
    }

    /** As {@link #filter(String, RunStatus, Range)}, only runs stopped at the request of {@code origin} (null: any). */
    void filter(String graph, RunStatus status, Range range, dev.tether.run.CancelOrigin origin) {
        this.origin = origin;
        this.graph = graph == null || graph.isBlank() ? null : graph;
        this.statuses = status == null ? FINISHED : EnumSet.of(status);
        this.range = range == null ? Range.ALL : range;
        starts.clear();
        currentStart = null;
        load();
    }

    void reload() {
        load();
    }

    void older() {
        if (next == null) return;
        starts.push(currentStart == null ? NEWEST : currentStart);
        currentStart = HistoryCursor.parse(next);
        load();
    }

    void newer() {
        if (starts.isEmpty()) return;
        var previous = starts.pop();
        currentStart = previous == NEWEST ? null : previous;
        load();
    }

    /** Marks "the newest page" in the stack (a deque holds no nulls). */
    private static final HistoryCursor NEWEST = new HistoryCursor(Long.MAX_VALUE, "~newest");

    private HistoryQuery query() {
        var since = range.span == null ? null : Instant.now().minus(range.span);
        return new HistoryQuery(graph, statuses, since, null, pageSize, currentStart,
                origin == null ? java.util.Set.of() : java.util.Set.of(origin));
    }

    private void load() {
        long mine = ++generation;
        loading.set(true);
        HistoryQuery q;
        try {
            q = query();
        } catch (IllegalArgumentException e) {
            show(mine, null, e);
            return;
        }
        loader.apply(q).whenComplete((page, error) -> fx.execute(() -> show(mine, page, error)));
    }

    private void show(long of, HistoryPage page, Throwable error) {
        if (of != generation) return; // a newer request is under way
        loading.set(false);
        hasNewer.set(!starts.isEmpty());
        if (error != null) {
            var cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
            position.set("History unavailable: " + cause.getMessage());
            return;
        }
        runs.setAll(page.runs());
        next = page.next();
        hasOlder.set(next != null);
        position.set(starts.isEmpty() ? "Newest " + runs.size() : "Page " + (starts.size() + 1));
    }

    /** Runs that just ended: they join the newest page, if it is the one shown and they pass its filters. */
    void add(List<RunSnapshot> ended) {
        if (!starts.isEmpty() || currentStart != null) return;
        var since = range.span == null ? null : Instant.now().minus(range.span);
        var fresh = new ArrayList<RunSnapshot>();
        for (var r : ended) {
            if (!r.isTerminal() || !statuses.contains(r.status())) continue;
            if (graph != null && !graph.equals(r.graphId())) continue;
            if (since != null && HistoryCursor.sortInstant(r).isBefore(since)) continue;
            fresh.add(r);
        }
        if (fresh.isEmpty()) return;
        var ids = new java.util.HashSet<String>();
        for (var r : fresh) ids.add(r.runId());
        var merged = new ArrayList<RunSnapshot>(runs.size() + fresh.size());
        merged.addAll(fresh);
        for (var r : runs) if (!ids.contains(r.runId())) merged.add(r);
        merged.sort(InMemoryHistory.NEWEST_FIRST);
        if (merged.size() > pageSize) {
            merged.subList(pageSize, merged.size()).clear();
            next = HistoryCursor.after(merged.getLast()).toString();
            hasOlder.set(true);
        }
        runs.setAll(merged);
        if (!loading.get()) position.set("Newest " + runs.size());
    }
}
