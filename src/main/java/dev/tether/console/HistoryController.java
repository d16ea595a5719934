package dev.tether.console;

import dev.tether.run.RunSnapshot;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.value.ObservableValue;
import javafx.collections.transformation.SortedList;
import javafx.fxml.FXML;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/** The History panel: finished runs from {@link HistoryModel}, sortable, with where each stopped. */
public final class HistoryController {
    @FXML TableView<RunSnapshot> table;
    @FXML TableColumn<RunSnapshot, RunSnapshot> idColumn, graphColumn, queueColumn, workerColumn, statusColumn,
            endedColumn, durationColumn, latencyColumn, stoppedColumn;

    private final ReadOnlyObjectWrapper<ObservableValue<RunSnapshot>> selected = new ReadOnlyObjectWrapper<>();

    void init(HistoryModel model) {
        for (var c : List.of(idColumn, graphColumn, queueColumn, workerColumn, statusColumn, endedColumn,
                durationColumn, latencyColumn, stoppedColumn)) {
            c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue()));
        }
        RunCells.text(idColumn, RunSnapshot::shortId);
        RunCells.text(graphColumn, RunSnapshot::graphId);
        RunCells.text(queueColumn, RunSnapshot::queue);
        RunCells.text(workerColumn, RunSnapshot::worker);
        RunCells.status(statusColumn);
        RunCells.text(endedColumn, r -> Formats.clock(r.endedAt()));
        RunCells.text(durationColumn, r -> Formats.span(duration(r)));
        durationColumn.setComparator(Comparator.comparing(HistoryController::duration));
        RunCells.text(latencyColumn, r -> Formats.span(r.cancelLatency()));
        RunCells.text(stoppedColumn, HistoryController::stoppedAt);
        endedColumn.setComparator(Comparator.comparing(RunSnapshot::endedAt, Comparator.nullsLast(Comparator.naturalOrder())));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        var sorted = new SortedList<>(model.runs());
        sorted.comparatorProperty().bind(table.comparatorProperty());
        table.setItems(sorted);
        table.getSelectionModel().selectedItemProperty().addListener((o, a, r) -> {
            if (r != null) selected.set(new ReadOnlyObjectWrapper<>(r));
        });
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
        return switch (r.status()) {
            case CANCELLED -> (r.cancelledAtNode() == null ? "before start" : r.cancelledAtNode()) + (r.forced() ? " (killed)" : "");
            case STUCK -> r.currentNode() + " (stuck: process isolation would kill it)";
            case FAILED, LOST -> r.currentNode();
            default -> null;
        };
    }
}
