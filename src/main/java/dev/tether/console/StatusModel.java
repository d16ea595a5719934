package dev.tether.console;

import dev.tether.engine.EngineStats;
import dev.tether.run.RunStatus;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.EnumMap;
import java.util.Map;

/**
 * The status bar and mode badge in values: runs per status, executor use, where runs execute and
 * whether it is reachable. Polled on the clock tick (counts change too often to push). FX thread only.
 */
final class StatusModel {
    private final Map<RunStatus, ReadOnlyIntegerWrapper> counts = new EnumMap<>(RunStatus.class);
    private final ReadOnlyStringWrapper executor = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper mode = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper where = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper connected = new ReadOnlyBooleanWrapper(true);
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(false);
    private final javafx.beans.property.ReadOnlyLongWrapper queuedNotShown = new javafx.beans.property.ReadOnlyLongWrapper();

    /** Longer addresses (a sentinel or cluster list, a prefix) are cut in the badge to this many characters (whole in its tooltip). */
    static final int BADGE_CHARS = 34;

    StatusModel() {
        for (var s : RunStatus.values()) counts.put(s, new ReadOnlyIntegerWrapper());
    }

    ReadOnlyIntegerProperty count(RunStatus status) {
        return counts.get(status).getReadOnlyProperty();
    }

    /** "Executor 2/4 busy, 1 queued". */
    ReadOnlyStringProperty executor() {
        return executor.getReadOnlyProperty();
    }

    /** "3 active · 120 tracked", and " · 90,000 more queued in Redis, not shown" when the console holds only the first in line. */
    ReadOnlyStringProperty summary() {
        return summary.getReadOnlyProperty();
    }

    /**
     * Where runs execute, its end cut to {@link #BADGE_CHARS} (scheme, user, first host and port kept),
     * with " — loading runs" until they are loaded, " — disconnected" while it cannot be reached.
     */
    ReadOnlyStringProperty mode() {
        return mode.getReadOnlyProperty();
    }

    /** Where runs execute, whole (the badge's tooltip, the table's "loading" line). */
    ReadOnlyStringProperty where() {
        return where.getReadOnlyProperty();
    }

    /** Reachable, its runs not all loaded yet: the tables are not yet what they will show. */
    ReadOnlyBooleanProperty loading() {
        return loading.getReadOnlyProperty();
    }

    /** Queued runs the engine counts but the console does not hold (over Redis, beyond the first in line). */
    javafx.beans.property.ReadOnlyLongProperty queuedNotShown() {
        return queuedNotShown.getReadOnlyProperty();
    }

    ReadOnlyBooleanProperty connected() {
        return connected.getReadOnlyProperty();
    }

    void refresh(Map<RunStatus, Integer> now, EngineStats stats, String where, boolean up, boolean loading) {
        refresh(now, stats, where, up, loading, 0);
    }

    /**
     * @param loading        the engine is reachable but still loading the runs it shows (not said as disconnected)
     * @param queuedNotShown queued runs the engine counts but the console does not hold
     */
    void refresh(Map<RunStatus, Integer> now, EngineStats stats, String where, boolean up, boolean loading, long queuedNotShown) {
        int total = 0, active = 0;
        for (var s : RunStatus.values()) {
            int n = now.getOrDefault(s, 0);
            counts.get(s).set(n);
            total += n;
            if (s.isActive()) active += n;
        }
        this.queuedNotShown.set(Math.max(0, queuedNotShown));
        summary.set(active + " active · " + total + " tracked" + (this.queuedNotShown.get() > 0
                ? String.format(java.util.Locale.ROOT, " · %,d more queued in Redis, not shown", this.queuedNotShown.get()) : ""));
        executor.set("Executor " + stats.busy() + "/" + stats.capacity() + " busy"
                + (stats.queued() > 0 ? ", " + stats.queued() + " queued" : "")
                + (stats.stuck() > 0 ? ", " + stats.stuck() + " stuck" : ""));
        boolean stillLoading = !up && loading;
        this.where.set(where);
        connected.set(up || stillLoading);
        this.loading.set(stillLoading);
        mode.set(Formats.cut(where, BADGE_CHARS) + (up ? "" : stillLoading ? " — loading runs" : " — disconnected"));
    }
}
