package dev.tether.console;

import dev.tether.engine.WorkerInfo;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/** Where runs execute: the embedded slots, or every live worker (name, host, queues, use, last heartbeat). */
final class WorkersView extends TableView<WorkerInfo> {
    WorkersView() {
        getStyleClass().add("runs-table");
        setId("workersTable");
        setColumnResizePolicy(CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        getColumns().setAll(List.of(
                column("Worker", 140, WorkerInfo::name),
                column("Host", 140, WorkerInfo::host),
                column("PID", 70, w -> Long.toString(w.pid())),
                column("Queues", 200, w -> String.join(", ", w.queues())),
                column("Slots", 60, w -> Integer.toString(w.concurrency())),
                column("Busy", 60, w -> Integer.toString(w.busy())),
                column("Stuck", 60, w -> Integer.toString(w.stuck())),
                column("Last heartbeat", 120, w -> ago(w.heartbeatAt())),
                column("Up since", 100, w -> Formats.clock(w.startedAt()))));
        setPlaceholder(new javafx.scene.control.Label("No live worker."));
    }

    private static TableColumn<WorkerInfo, WorkerInfo> column(String title, double width, Function<WorkerInfo, String> text) {
        var c = new TableColumn<WorkerInfo, WorkerInfo>(title);
        c.setPrefWidth(width);
        c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue()));
        c.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(WorkerInfo w, boolean empty) {
                super.updateItem(w, empty);
                setText(empty || w == null ? null : text.apply(w));
            }
        });
        return c;
    }

    private static String ago(Instant t) {
        if (t == null) return "";
        long ms = Math.max(0, Duration.between(t, Instant.now()).toMillis());
        return ms < 1_000 ? "just now" : String.format("%.1f s ago", ms / 1000.0);
    }

    void show(List<WorkerInfo> workers) {
        getItems().setAll(FXCollections.observableArrayList(workers));
    }
}
