package dev.tether.console;

import dev.tether.run.RunSnapshot;
import javafx.beans.InvalidationListener;
import javafx.beans.Observable;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectPropertyBase;

import java.util.Arrays;

/**
 * One line of the active-runs table. The snapshot is replaced wholesale (snapshots are immutable),
 * so a visible cell repaints once per change and an invisible row costs nothing.
 *
 * <p>The row is its own snapshot property, and holds the listeners of its status signal itself: the
 * console keeps a row for every active run (100,000 in the scale bench), and a property object and a
 * counter property beside each row cost about 110 bytes a run (BENCHMARKS.md, "The console's
 * footprint").
 */
public final class RunRow extends ReadOnlyObjectPropertyBase<RunSnapshot> {
    private RunSnapshot snapshot;
    /** Who follows status changes (the rows list, through its extractor): none, one listener, or an array of them. */
    private Object statusListeners;
    private long terminalAtNanos = -1;

    RunRow(RunSnapshot first) {
        this.snapshot = first;
    }

    public String runId() {
        return snapshot.runId();
    }

    public RunSnapshot snapshot() {
        return snapshot;
    }

    /** The snapshot, observable: the row itself. */
    public ReadOnlyObjectProperty<RunSnapshot> snapshotProperty() {
        return this;
    }

    @Override
    public RunSnapshot get() {
        return snapshot;
    }

    @Override
    public Object getBean() {
        return this;
    }

    @Override
    public String getName() {
        return "snapshot";
    }

    /** Takes a newer snapshot; older or equal versions (late, reordered deliveries) are ignored. */
    boolean update(RunSnapshot next) {
        var before = snapshot;
        if (next.version() <= before.version()) return false;
        snapshot = next;
        fireValueChangedEvent();
        if (before.status() != next.status()) statusChanged();
        return true;
    }

    /**
     * What the rows list re-filters and re-sorts a row on at once: an observable that fires only when
     * the status changes. The list asks for it when a row is added and again when it is removed, so
     * the one made here is thrown away; the listeners stay with the row.
     */
    static Observable[] statusOf(RunRow row) {
        return new Observable[] {row.new StatusSignal()};
    }

    private void statusChanged() {
        var l = statusListeners;
        if (l instanceof InvalidationListener one) {
            one.invalidated(this);
        } else if (l instanceof InvalidationListener[] many) {
            for (var each : many) each.invalidated(this);
        }
    }

    private final class StatusSignal implements Observable {
        @Override
        public void addListener(InvalidationListener listener) {
            var l = statusListeners;
            if (l == null) statusListeners = listener;
            else if (l instanceof InvalidationListener one) statusListeners = new InvalidationListener[] {one, listener};
            else {
                var many = (InvalidationListener[]) l;
                var more = Arrays.copyOf(many, many.length + 1);
                more[many.length] = listener;
                statusListeners = more;
            }
        }

        @Override
        public void removeListener(InvalidationListener listener) {
            var l = statusListeners;
            if (l == listener) {
                statusListeners = null;
            } else if (l instanceof InvalidationListener[] many) {
                int i = Arrays.asList(many).indexOf(listener);
                if (i < 0) return;
                var fewer = new InvalidationListener[many.length - 1];
                System.arraycopy(many, 0, fewer, 0, i);
                System.arraycopy(many, i + 1, fewer, i, many.length - i - 1);
                statusListeners = fewer.length == 1 ? fewer[0] : fewer;
            }
        }
    }

    long terminalAtNanos() {
        return terminalAtNanos;
    }

    void markTerminal(long nanos) {
        if (terminalAtNanos < 0) terminalAtNanos = nanos;
    }
}
