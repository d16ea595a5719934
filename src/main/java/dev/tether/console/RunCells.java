package dev.tether.console;

import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import javafx.beans.value.ObservableLongValue;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;

import java.time.Instant;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Cell factories for run tables. Every column's value is the whole (immutable) snapshot; a cell picks
 * its field, so one snapshot change repaints the visible cells of that row and nothing else.
 */
final class RunCells {
    private RunCells() {}

    static <S> void text(TableColumn<S, RunSnapshot> column, Function<RunSnapshot, String> field) {
        column.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(RunSnapshot r, boolean empty) {
                super.updateItem(r, empty);
                setText(empty || r == null ? null : field.apply(r));
            }
        });
        column.setComparator(Comparator.comparing(field, Comparator.nullsLast(Comparator.naturalOrder())));
    }

    static <S> void number(TableColumn<S, RunSnapshot> column, java.util.function.ToLongFunction<RunSnapshot> field) {
        column.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(RunSnapshot r, boolean empty) {
                super.updateItem(r, empty);
                setText(empty || r == null ? null : Long.toString(field.applyAsLong(r)));
            }
        });
        column.setComparator(Comparator.comparingLong(field));
    }

    static <S> void status(TableColumn<S, RunSnapshot> column) {
        column.setCellFactory(c -> new TableCell<>() {
            private final Label badge = new Label();

            @Override
            protected void updateItem(RunSnapshot r, boolean empty) {
                super.updateItem(r, empty);
                if (empty || r == null) {
                    setGraphic(null);
                } else {
                    StatusStyles.apply(badge, r.status());
                    setGraphic(badge);
                }
            }
        });
        column.setComparator(Comparator.comparing(RunSnapshot::status));
    }

    /**
     * Runtime that ticks: the cell listens to the console clock, so only visible cells (a few dozen,
     * whatever the row count) recompute each tick.
     */
    static <S> void runtime(TableColumn<S, RunSnapshot> column, ObservableLongValue clockMillis) {
        column.setCellFactory(c -> new TableCell<>() {
            {
                clockMillis.addListener((o, a, b) -> refresh());
            }

            private void refresh() {
                var r = getItem();
                if (r != null && !isEmpty()) setText(Formats.hms(r.runtime(Instant.ofEpochMilli(clockMillis.get()))));
            }

            @Override
            protected void updateItem(RunSnapshot r, boolean empty) {
                super.updateItem(r, empty);
                if (empty || r == null) setText(null);
                else refresh();
            }
        });
        // the clock only moves between pulses, so a sort sees one consistent "now"
        column.setComparator(Comparator.comparing(r -> r.runtime(Instant.ofEpochMilli(clockMillis.get()))));
    }

    /**
     * The time a policy leaves a run, ticking with the console clock: to its max-runtime while it
     * runs, to its max-queued while it waits, or until its retry falls due; empty without a limit.
     * The last ten seconds of a deadline are marked.
     */
    static <S> void deadline(TableColumn<S, RunSnapshot> column, ObservableLongValue clockMillis) {
        column.setCellFactory(c -> new TableCell<>() {
            {
                clockMillis.addListener((o, a, b) -> refresh());
            }

            private void refresh() {
                var r = getItem();
                if (r == null || isEmpty()) return;
                var countdown = Countdown.of(r, Instant.ofEpochMilli(clockMillis.get()));
                setText(countdown == null ? null : countdown.text());
                var near = countdown != null && countdown.near();
                if (near != getStyleClass().contains("deadline-near")) {
                    if (near) getStyleClass().add("deadline-near");
                    else getStyleClass().remove("deadline-near");
                }
            }

            @Override
            protected void updateItem(RunSnapshot r, boolean empty) {
                super.updateItem(r, empty);
                if (empty || r == null) {
                    setText(null);
                    getStyleClass().remove("deadline-near");
                } else {
                    refresh();
                }
            }
        });
        column.setComparator(Comparator.comparing(r -> {
            var d = Countdown.of(r, Instant.ofEpochMilli(clockMillis.get()));
            return d == null ? java.time.Duration.ofDays(36_500) : d.left();
        }));
    }

    /** Cancel button while a cancel can change anything; "cancelling" while it is under way; then nothing. */
    static <S> void action(TableColumn<S, RunSnapshot> column, Consumer<RunSnapshot> onCancel) {
        column.setCellFactory(c -> new TableCell<>() {
            private final Button cancel = new Button("Cancel");
            private final HBox cancelling;

            {
                cancel.getStyleClass().addAll("row-cancel", "danger-outline");
                cancel.setTooltip(new Tooltip("Cancel this run"));
                cancel.setOnAction(e -> {
                    var r = getItem();
                    if (r != null) onCancel.accept(r);
                });
                var spinner = new ProgressIndicator();
                spinner.getStyleClass().add("row-spinner");
                spinner.setPrefSize(14, 14);
                spinner.setMaxSize(14, 14);
                var label = new Label("cancelling");
                label.getStyleClass().add("cancelling-label");
                cancelling = new HBox(6, spinner, label);
                cancelling.setAlignment(Pos.CENTER_LEFT);
                setAlignment(Pos.CENTER_LEFT);
            }

            @Override
            protected void updateItem(RunSnapshot r, boolean empty) {
                super.updateItem(r, empty);
                if (empty || r == null) setGraphic(null);
                else if (r.status() == RunStatus.CANCELLING) setGraphic(cancelling);
                else if (r.isCancellable()) setGraphic(cancel);
                else setGraphic(null);
            }
        });
    }
}
