package dev.tether.console;

import dev.tether.engine.WorkerInfo;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.fxml.FXML;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/** The Workers panel: a table of {@link WorkersModel#workers()}. */
public final class WorkersController {
    @FXML TableView<WorkerInfo> table;
    @FXML TableColumn<WorkerInfo, WorkerInfo> nameColumn, hostColumn, pidColumn, queuesColumn, slotsColumn, busyColumn,
            stuckColumn, heartbeatColumn, upColumn, stateColumn;

    void init(WorkersModel model) {
        text(nameColumn, WorkerInfo::name);
        text(hostColumn, WorkerInfo::host);
        text(pidColumn, w -> Long.toString(w.pid()));
        text(queuesColumn, w -> String.join(", ", w.queues()));
        text(slotsColumn, w -> Integer.toString(w.concurrency()));
        text(busyColumn, w -> Integer.toString(w.busy()));
        text(stuckColumn, w -> Integer.toString(w.stuck()));
        text(heartbeatColumn, w -> ago(w.heartbeatAt()));
        text(upColumn, w -> Formats.clock(w.startedAt()));
        state(stateColumn);
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setItems(model.workers());
    }

    private static void text(TableColumn<WorkerInfo, WorkerInfo> c, Function<WorkerInfo, String> text) {
        c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue()));
        c.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(WorkerInfo w, boolean empty) {
                super.updateItem(w, empty);
                setText(empty || w == null ? null : text.apply(w));
            }
        });
    }

    /** What the worker said in its heartbeat: "ok", or what keeps it from making progress (in the failed colour). */
    private static void state(TableColumn<WorkerInfo, WorkerInfo> c) {
        c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue()));
        c.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(WorkerInfo w, boolean empty) {
                super.updateItem(w, empty);
                getStyleClass().remove("worker-stalled");
                setTooltip(null);
                if (empty || w == null) {
                    setText(null);
                    return;
                }
                setText(stateText(w));
                if (w.stalled()) {
                    getStyleClass().add("worker-stalled");
                    setTooltip(new javafx.scene.control.Tooltip(String.join("\n", w.problems())));
                }
            }
        });
    }

    static String stateText(WorkerInfo w) {
        if (w.problems() == null) return "";
        return w.problems().isEmpty() ? "ok" : "stalled: " + String.join("; ", w.problems());
    }

    private static String ago(Instant t) {
        if (t == null) return "";
        long ms = Math.max(0, Duration.between(t, Instant.now()).toMillis());
        return ms < 1_000 ? "just now" : String.format("%.1f s ago", ms / 1000.0);
    }
}
