package dev.tether.console;

import dev.tether.engine.GraphInfo;
import dev.tether.run.RunSnapshot;
import javafx.beans.InvalidationListener;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.value.ObservableValue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What the details pane shows: the selected run, followed as its snapshot changes, and the graphs
 * (for the diagram), described off the FX thread. FX thread only.
 */
final class DetailsModel {
    private final ReadOnlyObjectWrapper<RunSnapshot> run = new ReadOnlyObjectWrapper<>();
    private final Supplier<CompletableFuture<List<GraphInfo>>> graphs;
    private ObservableValue<RunSnapshot> source;
    private final InvalidationListener follow = o -> run.set(source.getValue());

    DetailsModel(Supplier<CompletableFuture<List<GraphInfo>>> graphs) {
        this.graphs = graphs;
    }

    /** The run shown (null: none), current as of its latest change. */
    ReadOnlyObjectProperty<RunSnapshot> run() {
        return run.getReadOnlyProperty();
    }

    /** Follows this run's snapshot from now on; null shows none. */
    void show(ObservableValue<RunSnapshot> snapshot) {
        if (source != null) source.removeListener(follow);
        source = snapshot;
        if (source != null) source.addListener(follow);
        run.set(source == null ? null : source.getValue());
    }

    CompletableFuture<List<GraphInfo>> graphs() {
        return graphs.get();
    }
}
