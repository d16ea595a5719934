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

    private final ReadOnlyListWrapper<WorkerInfo> workers = new ReadOnlyListWrapper<>(FXCollections.observableArrayList());
    private final Supplier<CompletableFuture<List<WorkerInfo>>> fetch;
    private boolean fetching;
    private long lastFetch = Long.MIN_VALUE / 2;

    WorkersModel(Supplier<CompletableFuture<List<WorkerInfo>>> fetch) {
        this.fetch = fetch;
    }

    ReadOnlyListProperty<WorkerInfo> workers() {
        return workers.getReadOnlyProperty();
    }

    /** Asks again if a second has passed and no answer is awaited; a failed ask keeps the last list. */
    void refresh(long nowNanos) {
        if (fetching || nowNanos - lastFetch < EVERY_NANOS) return;
        fetching = true;
        lastFetch = nowNanos;
        fetch.get().whenComplete((list, error) -> Platform.runLater(() -> {
            fetching = false;
            if (list != null) workers.setAll(list);
        }));
    }
}
