package dev.tether.console;

import dev.tether.run.RunSnapshot;
import javafx.beans.Observable;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

/**
 * One line of the active-runs table. The snapshot is replaced wholesale (snapshots are immutable),
 * so a visible cell repaints once per change and an invisible row costs nothing.
 */
public final class RunRow {
    private final String runId;
    private final ReadOnlyObjectWrapper<RunSnapshot> snapshot;
    /** Bumped only when the status changes: what the list re-filters and re-sorts on at once. */
    private final ReadOnlyIntegerWrapper statusChanges = new ReadOnlyIntegerWrapper();
    private long terminalAtNanos = -1;

    RunRow(RunSnapshot first) {
        this.runId = first.runId();
        this.snapshot = new ReadOnlyObjectWrapper<>(this, "snapshot", first);
    }

    public String runId() {
        return runId;
    }

    public RunSnapshot snapshot() {
        return snapshot.get();
    }

    public ReadOnlyObjectProperty<RunSnapshot> snapshotProperty() {
        return snapshot.getReadOnlyProperty();
    }

    /** Takes a newer snapshot; older or equal versions (late, reordered deliveries) are ignored. */
    boolean update(RunSnapshot next) {
        var before = snapshot.get();
        if (next.version() <= before.version()) return false;
        snapshot.set(next);
        if (before.status() != next.status()) statusChanges.set(statusChanges.get() + 1);
        return true;
    }

    static Observable[] statusOf(RunRow row) {
        return new Observable[] {row.statusChanges.getReadOnlyProperty()};
    }

    long terminalAtNanos() {
        return terminalAtNanos;
    }

    void markTerminal(long nanos) {
        if (terminalAtNanos < 0) terminalAtNanos = nanos;
    }
}
