package dev.tether.console;

import dev.tether.engine.GraphInfo;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import javafx.beans.InvalidationListener;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ObservableValue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What the details pane shows: the selected run, followed as its snapshot changes, whether it can
 * still be stopped (and at which levels), a hint where a forced stop is needed or happened, and the
 * graphs (for the diagram), described off the FX thread. FX thread only.
 */
final class DetailsModel {
    private final ReadOnlyObjectWrapper<RunSnapshot> run = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyBooleanWrapper stoppable = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper stoppableAfterNode = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper stopHint = new ReadOnlyStringWrapper();
    private final Supplier<CompletableFuture<List<GraphInfo>>> graphs;
    private final java.util.function.Function<String, CompletableFuture<Resumption>> resumptions;
    private final javafx.collections.ObservableList<dev.tether.engine.CheckpointInfo> checkpoints = javafx.collections.FXCollections.observableArrayList();
    private final javafx.collections.ObservableList<RunSnapshot> attempts = javafx.collections.FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper resumable = new ReadOnlyBooleanWrapper();
    private ObservableValue<RunSnapshot> source;
    private final InvalidationListener follow = o -> run.set(source.getValue());
    /** The run and status the checkpoints were last read for: read again when either changes. */
    private String loadedFor;

    /** A run's checkpoints (oldest first) and its attempts, as read for {@code runId}. */
    record Resumption(String runId, List<dev.tether.engine.CheckpointInfo> checkpoints, List<RunSnapshot> attempts) {}

    DetailsModel(Supplier<CompletableFuture<List<GraphInfo>>> graphs) {
        this(graphs, id -> CompletableFuture.completedFuture(new Resumption(id, List.of(), List.of())));
    }

    /** @param resumptions reads a run's checkpoints and attempts off the FX thread */
    DetailsModel(Supplier<CompletableFuture<List<GraphInfo>>> graphs,
                 java.util.function.Function<String, CompletableFuture<Resumption>> resumptions) {
        this.graphs = graphs;
        this.resumptions = resumptions;
        run.addListener(o -> {
            var r = run.get();
            stoppable.set(r != null && ConsoleCommands.reaches(r, StopLevel.CANCEL));
            stoppableAfterNode.set(r != null && ConsoleCommands.reaches(r, StopLevel.AFTER_NODE));
            stopHint.set(stopHint(r));
            loadResumption(r);
        });
    }

    private void loadResumption(RunSnapshot r) {
        var key = r == null ? null : r.runId() + "/" + r.status();
        if (java.util.Objects.equals(key, loadedFor)) return;
        loadedFor = key;
        if (r == null || !r.isTerminal()) { // checkpoints matter once it has ended; attempts are read then too
            checkpoints.clear();
            attempts.setAll(r == null || r.resumeOf() == null ? List.of() : List.of(r));
            resumable.set(false);
            return;
        }
        resumptions.apply(r.runId()).thenAccept(found -> javafx.application.Platform.runLater(() -> {
            var now = run.get();
            if (now == null || !now.runId().equals(found.runId())) return; // another run is shown by now
            checkpoints.setAll(found.checkpoints());
            attempts.setAll(found.attempts());
            resumable.set(now.status() != RunStatus.COMPLETED && found.checkpoints().stream().anyMatch(dev.tether.engine.CheckpointInfo::readable));
        }));
    }

    /** The shown run's checkpoints, oldest first (read once it has ended). */
    javafx.collections.ObservableList<dev.tether.engine.CheckpointInfo> checkpoints() {
        return checkpoints;
    }

    /** The shown run's attempts, oldest first: the first and every resume of it. */
    javafx.collections.ObservableList<RunSnapshot> attempts() {
        return attempts;
    }

    /** Whether the shown run can be resumed: it ended other than COMPLETED and kept a readable checkpoint. */
    ReadOnlyBooleanProperty resumable() {
        return resumable.getReadOnlyProperty();
    }

    /** Whether resuming after {@code node} is possible for the shown run. */
    boolean canResumeFrom(String node) {
        return resumable.get() && checkpoints.stream().anyMatch(c -> c.readable() && c.node().equals(node));
    }

    /** Reads the shown run's checkpoints and attempts again (after a resume or a rollback). */
    void reloadResumption() {
        loadedFor = null;
        loadResumption(run.get());
    }

    /** The run shown (null: none), current as of its latest change. */
    ReadOnlyObjectProperty<RunSnapshot> run() {
        return run.getReadOnlyProperty();
    }

    /** Whether a stop can still change anything (queued, running, or being cancelled: an escalation). */
    ReadOnlyBooleanProperty stoppable() {
        return stoppable.getReadOnlyProperty();
    }

    /** Whether "after this node" still applies (not once a cancel is under way: a stop is never softened). */
    ReadOnlyBooleanProperty stoppableAfterNode() {
        return stoppableAfterNode.getReadOnlyProperty();
    }

    /** What the operator should know about forcing this run's stop; null: nothing. */
    ReadOnlyStringProperty stopHint() {
        return stopHint.getReadOnlyProperty();
    }

    /** Follows this run's snapshot from now on; null shows none. */
    void show(ObservableValue<RunSnapshot> snapshot) {
        if (source != null) source.removeListener(follow);
        source = snapshot;
        if (source != null) source.addListener(follow);
        run.set(source == null ? null : source.getValue());
    }

    /** The ids a stop at {@code level} would reach: the run shown, if that level can still change it. */
    List<String> stopTargets(StopLevel level) {
        var r = run.get();
        return r != null && ConsoleCommands.reaches(r, level) ? List.of(r.runId()) : List.of();
    }

    CompletableFuture<List<GraphInfo>> graphs() {
        return graphs.get();
    }

    static String stopHint(RunSnapshot r) {
        if (r == null) return null;
        if (r.status() == RunStatus.STUCK) {
            return "Its node ignored the cancel and its thread cannot be forced in this process. To have it killed next time,"
                    + " run this graph with process isolation: add \"" + r.graphId() + " = process\" to isolation.properties"
                    + " in the Tether home (or start with --isolation process).";
        }
        if (r.forced()) {
            return "Killed: its process and every process it started were confirmed gone before it was reported cancelled.";
        }
        return null;
    }
}
