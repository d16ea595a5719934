package dev.tether.console;

import dev.tether.engine.GraphInfo;
import dev.tether.history.UnreadableRecord;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.value.ObservableValue;
import javafx.collections.transformation.SortedList;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The History panel: a page of finished runs from {@link HistoryModel} (the durable history),
 * filtered by graph, status and time range, paged newest first, sortable within the page.
 */
public final class HistoryController {
    static final String ALL_GRAPHS = "All graphs";
    static final String ALL_STATUSES = "All statuses";
    static final String ANYONE = "Stopped by anyone";

    @FXML TableView<RunSnapshot> table;
    @FXML TableColumn<RunSnapshot, RunSnapshot> idColumn, graphColumn, queueColumn, workerColumn, statusColumn,
            endedColumn, durationColumn, latencyColumn, stoppedColumn;
    @FXML ComboBox<String> graphFilter;
    @FXML ComboBox<String> statusFilter;
    @FXML ComboBox<HistoryModel.Range> rangeFilter;
    /** Who stopped a run: anyone, a person's surface, the process, or a policy (DEADLINE, STEP_LIMIT, ...). */
    @FXML ComboBox<String> originFilter;
    @FXML Button refreshButton, newerButton, olderButton;
    @FXML Label positionLabel;

    private final ReadOnlyObjectWrapper<ObservableValue<RunSnapshot>> selected = new ReadOnlyObjectWrapper<>();
    private HistoryModel model;

    void init(HistoryModel model, CompletableFuture<List<GraphInfo>> graphs) {
        this.model = model;
        for (var c : List.of(idColumn, graphColumn, queueColumn, workerColumn, statusColumn, endedColumn,
                durationColumn, latencyColumn, stoppedColumn)) {
            c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue()));
        }
        RunCells.text(idColumn, RunSnapshot::shortId);
        RunCells.text(graphColumn, RunSnapshot::graphId);
        RunCells.text(queueColumn, RunSnapshot::queue);
        RunCells.text(workerColumn, RunSnapshot::worker);
        RunCells.status(statusColumn);
        RunCells.moment(endedColumn, RunSnapshot::endedAt);
        RunCells.text(durationColumn, r -> Formats.span(duration(r)));
        durationColumn.setComparator(Comparator.comparing(HistoryController::duration));
        RunCells.text(latencyColumn, r -> Formats.span(r.cancelLatency()));
        RunCells.longText(stoppedColumn, HistoryController::stoppedAt);
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        var sorted = new SortedList<>(model.runs());
        sorted.comparatorProperty().bind(table.comparatorProperty());
        table.setItems(sorted);
        table.getSelectionModel().selectedItemProperty().addListener((o, a, r) -> {
            if (r != null) selected.set(new ReadOnlyObjectWrapper<>(r));
        });

        graphFilter.getItems().setAll(ALL_GRAPHS);
        graphFilter.getSelectionModel().select(ALL_GRAPHS);
        graphs.thenAccept(list -> Platform.runLater(() -> {
            var items = new ArrayList<String>(List.of(ALL_GRAPHS));
            list.stream().map(GraphInfo::id).sorted().forEach(items::add);
            var chosen = graphFilter.getValue();
            graphFilter.getItems().setAll(items);
            graphFilter.setValue(chosen);
        }));
        statusFilter.getItems().setAll(ALL_STATUSES);
        HistoryModel.FINISHED.stream().sorted().forEach(s -> statusFilter.getItems().add(s.name()));
        statusFilter.getSelectionModel().select(ALL_STATUSES);
        rangeFilter.getItems().setAll(HistoryModel.Range.values());
        rangeFilter.getSelectionModel().select(HistoryModel.Range.ALL);
        graphFilter.valueProperty().addListener(o -> applyFilters());
        statusFilter.valueProperty().addListener(o -> applyFilters());
        rangeFilter.valueProperty().addListener(o -> applyFilters());
        originFilter.getItems().setAll(ANYONE);
        for (var o : dev.tether.run.CancelOrigin.values()) originFilter.getItems().add(o.name());
        originFilter.getSelectionModel().select(ANYONE);
        originFilter.valueProperty().addListener(o -> applyFilters());

        olderButton.disableProperty().bind(model.hasOlder().not().or(model.loading()));
        newerButton.disableProperty().bind(model.hasNewer().not().or(model.loading()));
        positionLabel.textProperty().bind(model.position());
    }

    private void applyFilters() {
        var graph = graphFilter.getValue();
        var status = statusFilter.getValue();
        var origin = originFilter.getValue();
        model.filter(graph == null || graph.equals(ALL_GRAPHS) ? null : graph,
                status == null || status.equals(ALL_STATUSES) ? null : RunStatus.valueOf(status), rangeFilter.getValue(),
                origin == null || origin.equals(ANYONE) ? null : dev.tether.run.CancelOrigin.valueOf(origin));
    }

    @FXML
    void onOlder() {
        model.older();
    }

    @FXML
    void onNewer() {
        model.newer();
    }

    @FXML
    void onRefresh() {
        model.reload();
    }

    /** The run last selected here (finished: it no longer changes). */
    ReadOnlyObjectProperty<ObservableValue<RunSnapshot>> selectedRun() {
        return selected.getReadOnlyProperty();
    }

    private static java.time.Duration duration(RunSnapshot r) {
        return r.runtime(r.endedAt() == null ? Instant.now() : r.endedAt());
    }

    /** Where a finished run stopped, in the words an operator uses; a forced stop says it was killed. */
    static String stoppedAt(RunSnapshot r) {
        if (UnreadableRecord.is(r)) return r.error().message();
        return switch (r.status()) {
            case CANCELLED -> (r.cancelledAtNode() == null ? "before start" : r.cancelledAtNode()) + (r.forced() ? " (killed)" : "")
                    + (r.cancelReason() == null ? "" : " · " + r.cancelReason());
            case STUCK -> r.currentNode() + " (stuck: process isolation would kill it)";
            case FAILED -> r.currentNode();
            case LOST -> r.currentNode() == null ? "before start" : r.currentNode() + " (lost: its process ended)";
            default -> null;
        };
    }
}
