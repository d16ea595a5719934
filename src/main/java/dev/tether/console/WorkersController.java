package dev.tether.console;

import dev.tether.engine.WorkerInfo;
import javafx.fxml.FXML;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/** The Workers panel: a table of {@link WorkersModel#workers()}. */
public final class WorkersController {
    @FXML TableView<WorkersModel.Row> table;
    @FXML TableColumn<WorkersModel.Row, WorkerInfo> nameColumn, hostColumn, pidColumn, queuesColumn, slotsColumn, busyColumn,
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

    private static void text(TableColumn<WorkersModel.Row, WorkerInfo> c, Function<WorkerInfo, String> text) {
        c.setCellValueFactory(cd -> cd.getValue().info());
        c.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(WorkerInfo w, boolean empty) {
                super.updateItem(w, empty);
                setText(empty || w == null ? null : text.apply(w));
            }
        });
    }

    /**
     * What the worker said in its heartbeat: "ok", or what keeps it from making progress (in the failed colour,
     * each problem whole in the cell's tooltip). The heartbeat changes every second: the cell keeps one tooltip
     * and changes its text, since a tooltip set anew each second would restart its delay and never show.
     */
    private static void state(TableColumn<WorkersModel.Row, WorkerInfo> c) {
        c.setCellValueFactory(cd -> cd.getValue().info());
        c.setCellFactory(col -> new TableCell<>() {
            private final Tooltip problems = new Tooltip();

            {
                problems.setWrapText(true); // a problem is a sentence or two: kept within a readable width
                problems.setMaxWidth(560);
            }

            @Override
            protected void updateItem(WorkerInfo w, boolean empty) {
                super.updateItem(w, empty);
                boolean stalled = !empty && w != null && w.stalled();
                setText(empty || w == null ? null : stateText(w));
                if (stalled) {
                    problems.setText(String.join("\n", w.problems()));
                    if (getTooltip() != problems) setTooltip(problems);
                    if (!getStyleClass().contains("worker-stalled")) getStyleClass().add("worker-stalled");
                } else {
                    setTooltip(null);
                    getStyleClass().remove("worker-stalled");
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
