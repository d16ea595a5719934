package dev.tether.console;

import dev.tether.engine.WorkerInfo;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyListProperty;
import javafx.beans.property.ReadOnlyListWrapper;
import javafx.collections.FXCollections;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Where runs execute, as the Workers panel shows it: asked at most once a second, off the FX thread
 * (a remote engine asks Redis), the answer applied on the FX thread. FX thread only.
 */
final class WorkersModel {
    private static final long EVERY_NANOS = 1_000_000_000L;

    /**
     * One worker's row: its latest heartbeat, replaced in the row (not the row in the list), so that the table
     * keeps its cells, and a cell's tooltip (a stalled worker's problems) stays up while the mouse rests on it.
     */
    record Row(String name, javafx.beans.property.ObjectProperty<WorkerInfo> info) {
        Row(WorkerInfo w) {
            this(w.name(), new javafx.beans.property.SimpleObjectProperty<>(w));
        }
    }

    private final ReadOnlyListWrapper<Row> workers = new ReadOnlyListWrapper<>(FXCollections.observableArrayList());
    private final Supplier<CompletableFuture<List<WorkerInfo>>> fetch;
    private boolean fetching;
    private long lastFetch = Long.MIN_VALUE / 2;

    WorkersModel(Supplier<CompletableFuture<List<WorkerInfo>>> fetch) {
        this.fetch = fetch;
    }

    ReadOnlyListProperty<Row> workers() {
        return workers.getReadOnlyProperty();
    }

    /** Asks again if a second has passed and no answer is awaited; a failed ask keeps the last list. */
    void refresh(long nowNanos) {
        if (fetching || nowNanos - lastFetch < EVERY_NANOS) return;
        fetching = true;
        lastFetch = nowNanos;
        fetch.get().whenComplete((list, error) -> Platform.runLater(() -> {
            fetching = false;
            if (list != null) replaceInPlace(list);
        }));
    }

    /** Each row keeps its place while its worker stays at that place in the (sorted) list; only its heartbeat changes. */
    private void replaceInPlace(List<WorkerInfo> list) {
        for (int i = 0; i < list.size(); i++) {
            var w = list.get(i);
            if (i >= workers.size()) workers.add(new Row(w));
            else if (workers.get(i).name().equals(w.name())) workers.get(i).info().set(w);
            else workers.set(i, new Row(w));
        }
        if (workers.size() > list.size()) workers.remove(list.size(), workers.size());
    }
}
