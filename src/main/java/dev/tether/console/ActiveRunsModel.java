package dev.tether.console;

import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.ObjectBinding;
import javafx.beans.property.LongProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.ObservableSet;
import javafx.collections.transformation.FilteredList;
import javafx.collections.transformation.SortedList;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The rows of the active-runs table, fed in batches (one per pulse) from the registry's change feed.
 * Terminal runs stay for a short linger so an operator sees how a run ended, then leave for History.
 * A STUCK run stays as long as a thread of this process is still in it (it still costs a thread and
 * CPU; see {@link #release}), and lingers from the moment that thread is gone.
 *
 * <p>Cost model: an update replaces one row's snapshot, so only visible cells repaint. A status
 * change is a list "update" (re-filtered and re-placed alone, the selection kept). Additions and
 * removals are one list change per batch. Sorting by a field that moves without a status change
 * (steps, runtime, node) is refreshed every {@link #RESORT_EVERY}, not per event. FX thread only.
 */
public final class ActiveRunsModel {
    static final Duration RESORT_EVERY = Duration.ofMillis(500);

    private final ObservableList<RunRow> rows = FXCollections.observableArrayList(RunRow::statusOf);
    private final Map<String, RunRow> byId = new HashMap<>();
    private final ArrayDeque<RunRow> lingering = new ArrayDeque<>();
    /** STUCK runs whose thread may still be in them: kept until {@link #release} learns it is gone. */
    private final ObservableSet<String> stuckThreads = FXCollections.observableSet(new LinkedHashSet<>());
    private final FilteredList<RunRow> filtered = new FilteredList<>(rows);
    private final SortedList<RunRow> sorted = new SortedList<>(filtered);
    private final LongProperty resort = new SimpleLongProperty();
    private final long lingerNanos;
    private String text = "";
    private Set<RunStatus> statuses = EnumSet.allOf(RunStatus.class);
    private long lastResort;
    /** Rows whose run has a policy or a retry: only those can count down (the controller scans rows only while there are some). */
    private int limited;

    public ActiveRunsModel(Duration linger) {
        this.lingerNanos = linger.toNanos();
    }

    /** What the table shows: filtered and sorted. */
    public SortedList<RunRow> view() {
        return sorted;
    }

    /** Every row held, whatever the filter. */
    public ObservableList<RunRow> rows() {
        return FXCollections.unmodifiableObservableList(rows);
    }

    public RunRow row(String runId) {
        return byId.get(runId);
    }

    /**
     * Sorts by the table's comparator, re-applied periodically: the table's own sort cannot know that
     * a row's steps or runtime moved under it.
     */
    public void sortBy(ObservableValue<Comparator<RunRow>> tableComparator) {
        ObjectBinding<Comparator<RunRow>> fresh = Bindings.createObjectBinding(() -> {
            var c = tableComparator.getValue();
            return c == null ? null : (a, b) -> c.compare(a, b); // a new instance makes SortedList sort again
        }, tableComparator, resort);
        sorted.comparatorProperty().bind(fresh);
    }

    public void filter(String text, Set<RunStatus> statuses) {
        this.text = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        this.statuses = statuses.isEmpty() ? EnumSet.allOf(RunStatus.class) : EnumSet.copyOf(statuses);
        filtered.setPredicate(predicate());
    }

    private Predicate<RunRow> predicate() {
        var t = text;
        var s = statuses;
        return row -> {
            var r = row.snapshot();
            if (!s.contains(r.status())) return false;
            if (t.isEmpty()) return true;
            return contains(r.runId(), t) || contains(r.graphId(), t) || contains(r.queue(), t)
                    || contains(r.worker(), t) || contains(r.status().name(), t);
        };
    }

    private static boolean contains(String field, String needle) {
        return field != null && field.toLowerCase(Locale.ROOT).contains(needle);
    }

    /**
     * Applies one batch of changed snapshots.
     *
     * @return the snapshots that became terminal in this batch (for History and notifications)
     */
    public List<RunSnapshot> apply(List<RunSnapshot> changes, long nowNanos) {
        var added = new ArrayList<RunRow>();
        var ended = new ArrayList<RunSnapshot>();
        for (var s : changes) {
            var row = byId.get(s.runId());
            if (row == null) {
                row = new RunRow(s);
                byId.put(s.runId(), row);
                added.add(row);
                if (limited(s)) limited++;
                if (s.isTerminal()) ended(row, s, nowNanos, ended);
                continue;
            }
            var before = row.snapshot();
            if (!row.update(s)) continue;
            if (limited(before) != limited(s)) limited += limited(s) ? 1 : -1;
            if (s.isTerminal() && !before.isTerminal()) ended(row, s, nowNanos, ended);
        }
        if (!added.isEmpty()) rows.addAll(added);
        return ended;
    }

    private void ended(RunRow row, RunSnapshot s, long nowNanos, List<RunSnapshot> ended) {
        if (s.status() == RunStatus.STUCK) {
            stuckThreads.add(row.runId());
        } else {
            row.markTerminal(nowNanos);
            lingering.addLast(row);
        }
        ended.add(s);
    }

    /**
     * The STUCK runs shown whose thread still runs: their ids, observable (the row's action follows it).
     * Read-only.
     */
    public ObservableSet<String> stuckThreads() {
        return FXCollections.unmodifiableObservableSet(stuckThreads);
    }

    /**
     * Lets the STUCK runs whose thread is gone start their linger: those not in {@code onThreads}
     * (what the engine's threads are executing now; empty where runs execute elsewhere).
     */
    public void release(java.util.Set<String> onThreads, long nowNanos) {
        if (stuckThreads.isEmpty()) return;
        for (var it = stuckThreads.iterator(); it.hasNext(); ) {
            var id = it.next();
            if (onThreads.contains(id)) continue;
            it.remove();
            var row = byId.get(id);
            if (row != null) {
                row.markTerminal(nowNanos);
                lingering.addLast(row);
            }
        }
    }

    /** Drops rows whose linger is over and refreshes the sort when due. Call once per pulse. */
    public void tick(long nowNanos) {
        if (!lingering.isEmpty() && nowNanos - lingering.peekFirst().terminalAtNanos() >= lingerNanos) {
            var gone = new HashSet<RunRow>();
            while (!lingering.isEmpty() && nowNanos - lingering.peekFirst().terminalAtNanos() >= lingerNanos) {
                var r = lingering.removeFirst();
                byId.remove(r.runId());
                if (limited(r.snapshot())) limited--;
                gone.add(r);
            }
            rows.removeAll(gone);
        }
        if (nowNanos - lastResort >= RESORT_EVERY.toNanos()) {
            lastResort = nowNanos;
            if (sorted.getComparator() != null) resort.set(resort.get() + 1);
        }
    }

    public int size() {
        return rows.size();
    }

    /** Whether any row's run has a limit that may count down (a policy, a retry): O(1). */
    public boolean anyLimited() {
        return limited > 0;
    }

    private static boolean limited(RunSnapshot s) {
        return s.policy() != null || s.retry() != null;
    }
}
