package dev.tether.console;

import dev.tether.engine.BulkCancelReport;
import dev.tether.engine.RunStopReport;
import dev.tether.engine.StopOutcome;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

import java.util.Locale;
import java.util.function.Function;

/**
 * The outcome of a bulk cancel, run by run, above the tables until the operator dismisses it: what
 * stopped cleanly (and how fast), what had to be killed, what still runs, what had already ended.
 * FX thread only.
 */
public final class CancelSummary extends VBox {
    private final Label title = new Label();
    private final TableView<RunStopReport> table = new TableView<>();

    public CancelSummary() {
        getStyleClass().add("cancel-summary");
        setSpacing(4);
        title.getStyleClass().add("cancel-summary-title");
        title.setId("cancelSummaryTitle");
        var dismiss = new Button("Dismiss");
        dismiss.setId("dismissCancelSummary");
        dismiss.setOnAction(e -> dismiss());
        var spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        var head = new HBox(8, title, spacer, dismiss);
        head.setAlignment(Pos.CENTER_LEFT);
        table.setId("cancelSummaryTable");
        table.setPrefHeight(140);
        table.setMinHeight(110); // three runs however tall the window: one visible row would hide the rest
        table.setMinHeight(110); // room for three runs however tall the window: a summary with one row visible hides the rest
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(column("Run", RunStopReport::shortId));
        table.getColumns().add(column("Graph", RunStopReport::graphId));
        table.getColumns().add(column("Worker", r -> r.worker() == null ? "-" : r.worker()));
        var outcome = column("Outcome", r -> label(r.outcome()));
        outcome.setCellFactory(c -> new OutcomeCell());
        table.getColumns().add(outcome);
        table.getColumns().add(column("Latency", r -> r.cancelLatencyMillis() == null ? "-" : r.cancelLatencyMillis() + " ms"));
        table.getColumns().add(column("Status", r -> r.status() == null ? "-" : r.status().name()));
        getChildren().addAll(head, table);
        dismiss();
    }

    /** Shown at once, while the runs stop. */
    void pending(String what, int runs) {
        title.setText(what + ": stopping " + (runs == 1 ? "1 run" : runs + " runs") + "…");
        table.getItems().clear();
        show(true);
    }

    void show(String what, BulkCancelReport report) {
        var c = report.counts();
        title.setText(what + ": " + (report.runs().size() == 1 ? "1 run" : report.runs().size() + " runs") + " — "
                + c.get(StopOutcome.STOPPED_CLEANLY) + " stopped cleanly · " + c.get(StopOutcome.FORCED) + " forced · "
                + c.get(StopOutcome.STILL_RUNNING) + " still running · " + c.get(StopOutcome.ALREADY_FINISHED) + " already finished");
        table.getItems().setAll(report.runs());
        show(true);
    }

    void dismiss() {
        show(false);
    }

    String title() {
        return title.getText();
    }

    private void show(boolean on) {
        setVisible(on);
        setManaged(on);
    }

    static String label(StopOutcome outcome) {
        return switch (outcome) {
            case STOPPED_CLEANLY -> "stopped cleanly";
            case FORCED -> "forced (killed)";
            case STILL_RUNNING -> "still running";
            case ALREADY_FINISHED -> "already finished";
        };
    }

    private static TableColumn<RunStopReport, String> column(String name, Function<RunStopReport, String> value) {
        var c = new TableColumn<RunStopReport, String>(name);
        c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(value.apply(cd.getValue())));
        return c;
    }

    /** The outcome as a coloured badge, by theme colours (outcome-stopped-cleanly, outcome-forced, ...). */
    private static final class OutcomeCell extends TableCell<RunStopReport, String> {
        @Override
        protected void updateItem(String item, boolean empty) {
            super.updateItem(item, empty);
            getStyleClass().removeIf(s -> s.startsWith("outcome-"));
            var row = getTableRow() == null ? null : getTableRow().getItem();
            if (empty || item == null || row == null) {
                setText(null);
                return;
            }
            setText(item);
            getStyleClass().add("outcome-" + row.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
    }
}
