package dev.tether.console;
import dev.tether.run.RunSnapshot;
import dev.tether.run.StopLevel;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.value.ObservableLongValue;
import javafx.beans.value.ObservableValue;
import javafx.fxml.FXML;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;

import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The Active panel: the table of {@link ActiveRunsModel#view()}, a cancel button per row,
 * multi-selection, and a row menu with the three stop levels for the selected runs.
 */
public final class ActiveRunsController {
    @FXML TableView<RunRow> table;
    @FXML TableColumn<RunRow, RunSnapshot> idColumn, graphColumn, queueColumn, workerColumn, statusColumn,
            nodeColumn, stepsColumn, runtimeColumn, deadlineColumn, actionColumn;
    /** Row menu: stop after this node, cancel, kill (for the selected runs). */
    @FXML ContextMenu rowMenu;
    /** The table's placeholder: why it is empty. */
    @FXML javafx.scene.control.Label emptyLabel;

    private final ReadOnlyObjectWrapper<ObservableValue<RunSnapshot>> selected = new ReadOnlyObjectWrapper<>();
    private BiConsumer<List<String>, StopLevel> stop = (ids, level) -> {};
    private java.util.function.Consumer<RunSnapshot> explainStuck = r -> {};
    private ActiveRunsModel model;

    /** @param stop what stopping runs at a level means (the shell sends them and reports the outcome) */
    void init(ActiveRunsModel model, ObservableLongValue clock, BiConsumer<List<String>, StopLevel> stop) {
        this.stop = stop;
        this.model = model;
        for (var c : List.of(idColumn, graphColumn, queueColumn, workerColumn, statusColumn, nodeColumn, stepsColumn,
                runtimeColumn, deadlineColumn, actionColumn)) {
            c.setCellValueFactory(cd -> cd.getValue().snapshotProperty());
        }
        RunCells.text(idColumn, RunSnapshot::shortId);
        RunCells.text(graphColumn, RunSnapshot::graphId);
        RunCells.text(queueColumn, RunSnapshot::queue);
        RunCells.text(workerColumn, RunSnapshot::worker);
        RunCells.status(statusColumn);
        // a queued run held back by a concurrency limit says why where its node will be
        RunCells.text(nodeColumn, r -> r.currentNode() != null ? r.currentNode() : r.waiting());
        RunCells.number(stepsColumn, RunSnapshot::steps);
        RunCells.runtime(runtimeColumn, clock);
        RunCells.deadline(deadlineColumn, clock);
        // The column takes room from the others only once a run has a limit to count down (a policy's
        // deadline, expiry or retry), and keeps it until the table is empty: a column shown or hidden
        // rebuilds every row's cells, which must not happen each time one such run ends. Checked at the
        // clock's tick, when the countdowns move anyway.
        deadlineColumn.setVisible(false);
        clock.addListener((o, was, now) -> {
            boolean show = model.view().isEmpty() ? false
                    : deadlineColumn.isVisible() || anyCountdown(Instant.ofEpochMilli(now.longValue()));
            if (show != deadlineColumn.isVisible()) deadlineColumn.setVisible(show);
        });
        RunCells.action(actionColumn, r -> stop.accept(List.of(r.runId()), StopLevel.CANCEL), model.stuckThreads(),
                r -> explainStuck.accept(r));

        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setItems(model.view());
        model.sortBy(table.comparatorProperty());
        table.setSortPolicy(t -> true); // the model sorts (see ActiveRunsModel#sortBy)
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.getSelectionModel().selectedItemProperty().addListener((o, a, row) -> {
            if (row != null) selected.set(row.snapshotProperty());
        });
        table.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.DELETE || e.getCode() == KeyCode.BACK_SPACE) {
                cancelSelected();
                e.consume();
            }
        });
    }

    /**
     * The empty table says why it is empty: its runs still loading, a filter hiding every row (and, over
     * Redis, that the queued runs it does not hold were not searched), or no run at all.
     */
    void explainEmpty(javafx.beans.value.ObservableBooleanValue loading, javafx.beans.value.ObservableStringValue where,
                      javafx.beans.value.ObservableLongValue queuedNotShown) {
        var rows = model.rows();
        emptyLabel.textProperty().bind(Bindings.createStringBinding(
                () -> emptyText(loading.get(), where.get(), !rows.isEmpty(), queuedNotShown.get()), loading, where, rows, queuedNotShown));
    }

    static String emptyText(boolean loading, String where, boolean anyRowHidden, long queuedNotShown) {
        if (loading) return "Loading runs from " + where + "…";
        if (anyRowHidden && queuedNotShown > 0) {
            return String.format(java.util.Locale.ROOT, "No run shown matches the filter; %,d more queued in Redis were not searched"
                    + " (tether list --status QUEUED pages through them).", queuedNotShown);
        }
        if (anyRowHidden) return "No active run matches the filter.";
        return "No active runs. Submit one with Ctrl+N.";
    }

    private boolean anyCountdown(Instant now) {
        if (!model.anyLimited()) return false; // no scan of 100,000 rows each second for nothing
        for (var row : model.view()) if (Countdown.of(row.snapshotProperty().get(), now) != null) return true;
        return false;
    }

    /** The run last selected here, followed as it changes. */
    ReadOnlyObjectProperty<ObservableValue<RunSnapshot>> selectedRun() {
        return selected.getReadOnlyProperty();
    }

    BooleanBinding selectionEmpty() {
        return Bindings.isEmpty(table.getSelectionModel().getSelectedItems());
    }

    private java.util.function.Consumer<List<String>> cancelSelected;

    /** Where "Cancel selected" sends the runs (a bulk cancel with a report); without it, a plain cancel. */
    void onCancelSelected(java.util.function.Consumer<List<String>> action) {
        this.cancelSelected = action;
    }

    /** Cancels the selected runs a cancel can still change (a run stopping after its node is escalated). */
    void cancelSelected() {
        if (cancelSelected == null) {
            stopSelected(StopLevel.CANCEL);
            return;
        }
        var ids = selectedReaching(StopLevel.CANCEL);
        if (!ids.isEmpty()) cancelSelected.accept(ids);
    }

    @FXML
    void onCancelSelected() {
        cancelSelected();
    }

    @FXML
    void onStopAfterNode() {
        stopSelected(StopLevel.AFTER_NODE);
    }

    /** What a kill of a STUCK run whose thread still runs does: say why it cannot be, and what would let it. */
    void onKillStuck(java.util.function.Consumer<RunSnapshot> explain) {
        this.explainStuck = explain;
    }

    @FXML
    void onKillSelected() {
        stopSelected(StopLevel.KILL);
        table.getSelectionModel().getSelectedItems().stream().map(RunRow::snapshot)
                .filter(r -> r.status() == dev.tether.run.RunStatus.STUCK && model.stuckThreads().contains(r.runId()))
                .findFirst().ifPresent(explainStuck);
    }

    private void stopSelected(StopLevel level) {
        var ids = selectedReaching(level);
        if (!ids.isEmpty()) stop.accept(ids, level);
    }

    private List<String> selectedReaching(StopLevel level) {
        return table.getSelectionModel().getSelectedItems().stream().map(RunRow::snapshot)
                .filter(r -> ConsoleCommands.reaches(r, level)).map(RunSnapshot::runId).toList();
    }
}
