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
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Cell factories for run tables. Every column's value is the whole (immutable) snapshot; a cell picks
 * its field, so one snapshot change repaints the visible cells of that row and nothing else.
 */
final class RunCells {
    private static final List<String> STATUS_NAMES = java.util.Arrays.stream(RunStatus.values()).map(Enum::name).toList();

    private RunCells() {}

    /** Text that may be longer than its column: the whole of it in a tooltip. */
    static <S> void longText(TableColumn<S, RunSnapshot> column, Function<RunSnapshot, String> field) {
        column.setCellFactory(c -> new TableCell<>() {
            private final Tooltip tip = new Tooltip();

            @Override
            protected void updateItem(RunSnapshot r, boolean empty) {
                super.updateItem(r, empty);
                var text = empty || r == null ? null : field.apply(r);
                setText(text);
                tip.setText(text);
                setTooltip(text == null || text.isEmpty() ? null : tip);
            }
        });
        column.setComparator(Comparator.comparing(field, Comparator.nullsLast(Comparator.naturalOrder())));
    }

    /** A moment as {@link Formats#recent}, its full date and time in a tooltip; sorted by the moment. */
    static <S> void moment(TableColumn<S, RunSnapshot> column, Function<RunSnapshot, Instant> field) {
        column.setCellFactory(c -> new TableCell<>() {
            private final Tooltip tip = new Tooltip();

            @Override
            protected void updateItem(RunSnapshot r, boolean empty) {
                super.updateItem(r, empty);
                var at = empty || r == null ? null : field.apply(r);
                setText(at == null ? null : Formats.recent(at, Instant.now()));
                tip.setText(Formats.dated(at));
                setTooltip(at == null ? null : tip);
            }
        });
        column.setComparator(Comparator.comparing(field, Comparator.nullsLast(Comparator.naturalOrder())));
    }

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

    /**
     * A status badge; the column is made wide enough for the widest one, in the font and padding the
     * theme gives badges (known only once a badge is styled: a cell measures again when they change).
     */
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

            // what the column was last fitted to from this cell: measured again only when the theme's CSS changes them
            private javafx.scene.text.Font fittedFont;
            private double fittedInsets = -1;

            @Override
            protected void layoutChildren() {
                super.layoutChildren();
                var col = getTableColumn();
                if (col == null || getGraphic() != badge) return;
                double insets = badge.snappedLeftInset() + badge.snappedRightInset() + snappedLeftInset() + snappedRightInset();
                if (badge.getFont().equals(fittedFont) && insets == fittedInsets) return;
                fittedFont = badge.getFont();
                fittedInsets = insets;
                ColumnFit.contents(col, STATUS_NAMES, fittedFont, insets + 2);
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

    /**
     * Cancel button while a cancel can change anything; "cancelling" while it is under way; for a
     * STUCK run whose thread is still in it ({@code stuckThreads}), a Kill button that says why it
     * cannot be killed in-process and what would let it ({@code onStuck}); then nothing.
     */
    static <S> void action(TableColumn<S, RunSnapshot> column, Consumer<RunSnapshot> onCancel,
                           javafx.collections.ObservableSet<String> stuckThreads, Consumer<RunSnapshot> onStuck) {
        column.setCellFactory(c -> new TableCell<>() {
            private final Button cancel = new Button("Cancel");
            private final Button kill = new Button("Kill");
            private final HBox cancelling;
            /** The one row whose thread just ended repaints (the set changes rarely); held here, weakly by the set. */
            private final javafx.collections.SetChangeListener<String> onStuckThreads = change -> {
                var r = getItem();
                var id = change.wasAdded() ? change.getElementAdded() : change.getElementRemoved();
                if (r != null && !isEmpty() && r.runId().equals(id)) show(r);
            };

            {
                cancel.getStyleClass().addAll("row-cancel", "danger-outline");
                cancel.setTooltip(new Tooltip("Cancel this run"));
                cancel.setOnAction(e -> {
                    var r = getItem();
                    if (r != null) onCancel.accept(r);
                });
                kill.getStyleClass().addAll("row-kill", "danger-outline");
                kill.setTooltip(new Tooltip("Its thread ignores the cancel and still runs; a thread cannot be killed in-process"
                        + " (process isolation can kill a run)"));
                kill.setOnAction(e -> {
                    var r = getItem();
                    if (r != null) onStuck.accept(r);
                });
                stuckThreads.addListener(new javafx.collections.WeakSetChangeListener<>(onStuckThreads));
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
                else show(r);
            }

            private void show(RunSnapshot r) {
                if (r.status() == RunStatus.CANCELLING) setGraphic(cancelling);
                else if (r.isCancellable()) setGraphic(cancel);
                else if (r.status() == RunStatus.STUCK && stuckThreads.contains(r.runId())) setGraphic(kill);
                else setGraphic(null);
            }
        });
    }
}
