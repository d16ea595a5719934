package dev.tether.console;

import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.value.ObservableLongValue;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.collections.transformation.SortedList;
import javafx.fxml.FXML;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.ToggleButton;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import org.controlsfx.control.CheckComboBox;
import org.controlsfx.control.StatusBar;
import org.controlsfx.control.textfield.CustomTextField;

import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/** Wires the main window's controls to the models and commands; holds no state of its own. */
public final class MainController {
    @FXML BorderPane root;
    @FXML Button submitButton;
    @FXML Button cancelSelectedButton;
    @FXML Button cancelAllButton;
    @FXML CustomTextField filterField;
    @FXML CheckComboBox<RunStatus> statusFilter;
    @FXML ToggleButton themeToggle;
    @FXML Label modeLabel;
    @FXML TabPane tabs;
    @FXML javafx.scene.control.Tab metricsTab;
    @FXML javafx.scene.control.Tab workersTab;
    @FXML TableView<RunRow> activeTable;
    @FXML TableColumn<RunRow, RunSnapshot> idColumn, graphColumn, queueColumn, workerColumn, statusColumn,
            nodeColumn, stepsColumn, runtimeColumn, actionColumn;
    @FXML TableView<RunSnapshot> historyTable;
    @FXML TableColumn<RunSnapshot, RunSnapshot> hIdColumn, hGraphColumn, hQueueColumn, hWorkerColumn, hStatusColumn,
            hEndedColumn, hDurationColumn, hLatencyColumn, hNodeColumn;
    @FXML StatusBar statusBar;
    @FXML DetailsController detailsController;

    private static final javafx.css.PseudoClass DISCONNECTED = javafx.css.PseudoClass.getPseudoClass("disconnected");
    private ConsoleCommands commands;
    private ActiveRunsModel active;
    private final Map<RunStatus, Label> countLabels = new EnumMap<>(RunStatus.class);
    private final Label executorLabel = new Label();
    private Runnable onThemeToggle = () -> {};
    private java.util.function.BiConsumer<String, String> onCancelOutcome = (title, text) -> {};
    final MetricsView metrics = new MetricsView();
    final WorkersView workers = new WorkersView();
    private boolean fetchingWorkers;
    private long lastWorkersFetch;

    void init(ConsoleCommands commands, ActiveRunsModel active, ObservableList<RunSnapshot> history,
              ObservableLongValue clock, Runnable onThemeToggle, java.util.function.BiConsumer<String, String> onCancelOutcome) {
        this.onCancelOutcome = onCancelOutcome;
        this.commands = commands;
        this.active = active;
        this.onThemeToggle = onThemeToggle;
        modeLabel.setText(commands.engine().mode());
        setUpActiveTable(clock);
        setUpHistoryTable(history, clock);
        setUpFilters();
        setUpStatusBar();
        metricsTab.setContent(metrics);
        metricsTab.selectedProperty().addListener((o, was, is) -> metrics.setShowing(is));
        workersTab.setContent(workers);
        detailsController.init(clock, commands::graphs);
    }

    private void setUpActiveTable(ObservableLongValue clock) {
        for (var c : List.of(idColumn, graphColumn, queueColumn, workerColumn, statusColumn, nodeColumn, stepsColumn,
                runtimeColumn, actionColumn)) {
            c.setCellValueFactory(cd -> cd.getValue().snapshotProperty());
        }
        RunCells.text(idColumn, RunSnapshot::shortId);
        RunCells.text(graphColumn, RunSnapshot::graphId);
        RunCells.text(queueColumn, RunSnapshot::queue);
        RunCells.text(workerColumn, RunSnapshot::worker);
        RunCells.status(statusColumn);
        RunCells.text(nodeColumn, RunSnapshot::currentNode);
        RunCells.number(stepsColumn, RunSnapshot::steps);
        RunCells.runtime(runtimeColumn, clock);
        RunCells.action(actionColumn, r -> cancel(List.of(r.runId())));

        activeTable.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        activeTable.setItems(active.view());
        active.sortBy(activeTable.comparatorProperty());
        activeTable.setSortPolicy(t -> true); // the model sorts (see ActiveRunsModel#sortBy)
        activeTable.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        activeTable.getSelectionModel().selectedItemProperty().addListener((o, a, row) -> {
            if (row != null) detailsController.show(row.snapshotProperty());
        });
        activeTable.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.DELETE || e.getCode() == KeyCode.BACK_SPACE) {
                onCancelSelected();
                e.consume();
            }
        });
        cancelSelectedButton.disableProperty().bind(
                javafx.beans.binding.Bindings.isEmpty(activeTable.getSelectionModel().getSelectedItems()));
    }

    private void setUpHistoryTable(ObservableList<RunSnapshot> history, ObservableLongValue clock) {
        for (var c : List.of(hIdColumn, hGraphColumn, hQueueColumn, hWorkerColumn, hStatusColumn, hEndedColumn,
                hDurationColumn, hLatencyColumn, hNodeColumn)) {
            c.setCellValueFactory(cd -> new ReadOnlyObjectWrapper<>(cd.getValue()));
        }
        RunCells.text(hIdColumn, RunSnapshot::shortId);
        RunCells.text(hGraphColumn, RunSnapshot::graphId);
        RunCells.text(hQueueColumn, RunSnapshot::queue);
        RunCells.text(hWorkerColumn, RunSnapshot::worker);
        RunCells.status(hStatusColumn);
        RunCells.text(hEndedColumn, r -> Formats.clock(r.endedAt()));
        RunCells.text(hDurationColumn, r -> Formats.span(r.runtime(r.endedAt() == null ? Instant.now() : r.endedAt())));
        hDurationColumn.setComparator(java.util.Comparator.comparing(r -> r.runtime(r.endedAt() == null ? Instant.now() : r.endedAt())));
        RunCells.text(hLatencyColumn, r -> Formats.span(r.cancelLatency()));
        RunCells.text(hNodeColumn, MainController::stoppedAt);
        hEndedColumn.setComparator(java.util.Comparator.comparing(RunSnapshot::endedAt,
                java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder())));
        historyTable.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        var sorted = new SortedList<>(history);
        sorted.comparatorProperty().bind(historyTable.comparatorProperty());
        historyTable.setItems(sorted);
        historyTable.getSelectionModel().selectedItemProperty().addListener((o, a, r) -> {
            if (r != null) detailsController.show(new ReadOnlyObjectWrapper<>(r));
        });
    }

    /** Where a finished run stopped, in the words an operator uses. */
    static String stoppedAt(RunSnapshot r) {
        return switch (r.status()) {
            case CANCELLED -> r.cancelledAtNode() == null ? "before start" : r.cancelledAtNode();
            case STUCK -> r.currentNode() + " (stuck)";
            case FAILED, LOST -> r.currentNode();
            default -> null;
        };
    }

    private void setUpFilters() {
        var clear = new Button("✕");
        clear.getStyleClass().add("flat");
        clear.setOnAction(e -> filterField.clear());
        clear.visibleProperty().bind(filterField.textProperty().isNotEmpty());
        filterField.setRight(clear);
        statusFilter.getItems().setAll(RunStatus.values());
        filterField.textProperty().addListener(o -> applyFilter());
        statusFilter.getCheckModel().getCheckedItems().addListener((ListChangeListener<RunStatus>) c -> applyFilter());
    }

    private void applyFilter() {
        var checked = statusFilter.getCheckModel().getCheckedItems();
        active.filter(filterField.getText(), checked.isEmpty() ? EnumSet.noneOf(RunStatus.class) : EnumSet.copyOf(checked));
    }

    private void setUpStatusBar() {
        statusBar.setText("");
        var items = FXCollections.<javafx.scene.Node>observableArrayList();
        for (var s : RunStatus.values()) {
            var l = new Label();
            l.getStyleClass().addAll("count", StatusStyles.styleClass(s));
            l.setId("count-" + s.name().toLowerCase(java.util.Locale.ROOT));
            countLabels.put(s, l);
            items.add(l);
        }
        executorLabel.setId("executorUse");
        executorLabel.getStyleClass().add("executor");
        items.add(executorLabel);
        statusBar.getRightItems().setAll(items);
    }

    /** Called on the clock tick: counts and executor use are polled, not pushed. */
    void refreshStatus() {
        var counts = commands.engine().registry().counts();
        metrics.sample(System.currentTimeMillis(), counts);
        for (var e : countLabels.entrySet()) {
            int n = counts.getOrDefault(e.getKey(), 0);
            e.getValue().setText(e.getKey().name().charAt(0) + e.getKey().name().substring(1).toLowerCase(java.util.Locale.ROOT) + " " + n);
            e.getValue().setOpacity(n == 0 ? 0.45 : 1);
        }
        boolean up = commands.engine().connected();
        modeLabel.setText(commands.engine().mode() + (up ? "" : " — disconnected"));
        modeLabel.pseudoClassStateChanged(DISCONNECTED, !up);
        var stats = commands.engine().stats();
        executorLabel.setText("Executor " + stats.busy() + "/" + stats.capacity() + " busy"
                + (stats.queued() > 0 ? ", " + stats.queued() + " queued" : "")
                + (stats.stuck() > 0 ? ", " + stats.stuck() + " stuck" : ""));
        refreshWorkers();
        int total = 0, activeRuns = 0;
        for (var e : counts.entrySet()) {
            total += e.getValue();
            if (e.getKey().isActive()) activeRuns += e.getValue();
        }
        statusBar.setText(activeRuns + " active · " + total + " tracked");
    }

    /** Once a second, off the FX thread (a remote engine asks Redis), one hop back with the list. */
    private void refreshWorkers() {
        long now = System.nanoTime();
        if (fetchingWorkers || now - lastWorkersFetch < 1_000_000_000L) return;
        fetchingWorkers = true;
        lastWorkersFetch = now;
        commands.workers().whenComplete((list, error) -> javafx.application.Platform.runLater(() -> {
            fetchingWorkers = false;
            if (list != null) workers.show(list);
        }));
    }

    /** Opens the dialog once the graphs are described (off the FX thread; at once when they already are). */
    @FXML
    void onSubmit() {
        var graphs = commands.graphs();
        if (graphs.isDone()) {
            openSubmitDialog(graphs.getNow(List.of()));
            return;
        }
        submitButton.setDisable(true);
        graphs.whenComplete((list, error) -> javafx.application.Platform.runLater(() -> {
            submitButton.setDisable(false);
            if (list != null) openSubmitDialog(list);
        }));
    }

    private void openSubmitDialog(List<dev.tether.engine.GraphInfo> graphs) {
        var dialog = new SubmitDialog(root.getScene().getWindow(), graphs);
        dialog.showAndWait().ifPresent(r -> commands.submit(r.graphId(), r.queue(), r.input()));
    }

    @FXML
    void onCancelSelected() {
        var ids = activeTable.getSelectionModel().getSelectedItems().stream()
                .map(RunRow::snapshot).filter(RunSnapshot::isCancellable).map(RunSnapshot::runId).toList();
        if (!ids.isEmpty()) cancel(ids);
    }

    /** Sends the cancels; a run that had already ended (or vanished) by then is said so, not dropped. */
    private void cancel(List<String> ids) {
        commands.cancel(ids).thenAccept(outcomes -> javafx.application.Platform.runLater(() -> {
            var late = new java.util.ArrayList<String>();
            for (int i = 0; i < outcomes.size(); i++) {
                var o = outcomes.get(i);
                if (o == dev.tether.engine.CancelOutcome.ALREADY_FINISHED || o == dev.tether.engine.CancelOutcome.UNKNOWN_RUN) {
                    late.add(ids.get(i).substring(Math.max(0, ids.get(i).length() - 8)));
                }
            }
            if (!late.isEmpty()) {
                onCancelOutcome.accept(late.size() == 1 ? "Run " + late.getFirst() + " had already finished"
                        : late.size() + " runs had already finished", "Nothing was cancelled; see History for how they ended.");
            }
        }));
    }

    @FXML
    void onCancelAll() {
        int n = commands.engine().registry().active().size();
        if (n == 0) return;
        var yes = new ButtonType("Cancel " + (n == 1 ? "1 run" : "all " + n + " runs"), ButtonBar.ButtonData.OK_DONE);
        var no = new ButtonType("Keep running", ButtonBar.ButtonData.CANCEL_CLOSE);
        var confirm = new Alert(Alert.AlertType.CONFIRMATION, "Every queued and running run will be cancelled.", yes, no);
        confirm.initOwner(root.getScene().getWindow());
        confirm.setHeaderText("Cancel all active runs?");
        confirm.getDialogPane().getStylesheets().setAll(root.getScene().getStylesheets());
        if (confirm.showAndWait().orElse(no) == yes) commands.cancelAll();
    }

    @FXML
    void onToggleTheme() {
        onThemeToggle.run();
    }
}
