package dev.tether.console;
import dev.tether.engine.GraphInfo;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelOutcome;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import javafx.application.Platform;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.layout.BorderPane;
import org.controlsfx.control.CheckComboBox;
import org.controlsfx.control.textfield.CustomTextField;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The shell of the main window: the toolbar's actions, and the wiring of the panels (each with its
 * own FXML, controller and model) to each other. Holds no state of its own; asks the engine nothing
 * directly (commands and models do).
 */
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
    @FXML javafx.scene.layout.StackPane tabsArea;
    @FXML CancelSummary cancelSummary;
    @FXML Tab historyTab, metricsTab, workersTab;
    @FXML ActiveRunsController activeController;
    @FXML DetailsController detailsController;
    @FXML Tab policiesTab;
    @FXML StatusBarController statusController;
    /** Made when their tab first shows (their FXML loaded then): null until. */
    HistoryController historyController;
    MetricsController metricsController;
    WorkersController workersController;
    PoliciesController policiesController;

    private static final javafx.css.PseudoClass DISCONNECTED = javafx.css.PseudoClass.getPseudoClass("disconnected");
    private static final javafx.css.PseudoClass LOADING = javafx.css.PseudoClass.getPseudoClass("loading");
    private ConsoleCommands commands;
    private ConsoleModels models;
    private Runnable onThemeToggle = () -> {};
    private BiConsumer<String, String> tell = (title, text) -> {};

    /** @param tell shows the operator something that happened (a title and one line) */
    void init(ConsoleCommands commands, ConsoleModels models, Runnable onThemeToggle, BiConsumer<String, String> tell) {
        this.commands = commands;
        this.models = models;
        this.onThemeToggle = onThemeToggle;
        this.tell = tell;
        activeController.init(models.active(), models.clock(), this::cancel);
        activeController.onCancelSelected(this::cancelSelected);
        activeController.explainEmpty(models.status().loading(), models.status().where(), models.status().queuedNotShown());
        activeController.onKillStuck(r -> tell.accept("Run " + r.shortId() + " cannot be killed in this process", DetailsModel.stopHint(r)));
        detailsController.init(models.details(), models.clock(), this::cancel);
        detailsController.initResume(this::resume, this::rollback);
        onFirstShow(policiesTab, "Policies.fxml", (PoliciesController policies) -> {
            policiesController = policies;
            policies.init(commands::policies);
            policies.refresh(); // shown now; again whenever it is shown
            policiesTab.selectedProperty().addListener((o, was, is) -> {
                if (is) policies.refresh();
            });
        });
        statusController.init(models.status());
        activeController.selectedRun().addListener((o, was, run) -> models.details().show(run));
        onFirstShow(historyTab, "History.fxml", (HistoryController history) -> {
            historyController = history;
            history.init(models.history(), commands.graphs());
            history.selectedRun().addListener((o, was, run) -> models.details().show(run));
            ColumnFit.headers(history.table);
        });
        onFirstShow(metricsTab, "Metrics.fxml", (MetricsController metrics) -> {
            metricsController = metrics;
            metrics.init(models.metrics());
            metrics.setShowing(metricsTab.isSelected());
            metricsTab.selectedProperty().addListener((o, was, is) -> metrics.setShowing(is));
            ColumnFit.headers(metrics.latencyTable);
            ColumnFit.headers(metrics.outcomeTable);
        });
        onFirstShow(workersTab, "Workers.fxml", (WorkersController workers) -> {
            workersController = workers;
            workers.init(models.workers());
            ColumnFit.headers(workers.table);
        });
        cancelSelectedButton.disableProperty().bind(activeController.selectionEmpty());
        modeLabel.textProperty().bind(models.status().mode());
        var whole = new javafx.scene.control.Tooltip();
        whole.textProperty().bind(models.status().where());
        modeLabel.setTooltip(whole);
        keepBadgeBesideTheTabs();
        models.status().connected().addListener((o, was, up) -> modeLabel.pseudoClassStateChanged(DISCONNECTED, !up));
        models.status().loading().addListener((o, was, loading) -> modeLabel.pseudoClassStateChanged(LOADING, loading));
        setUpFilters();
        ColumnFit.headers(activeController.table); // its headers never cut (the other tabs' tables: when they load)
    }

    /**
     * The badge shares the tabs' row at its own width: it never covers a tab (a narrow panel cuts its
     * text instead). The tab headers' width is known once the tab pane has its skin.
     */
    private void keepBadgeBesideTheTabs() {
        modeLabel.maxWidthProperty().bind(javafx.beans.binding.Bindings.createDoubleBinding(() -> {
            var headers = tabs.lookup(".headers-region");
            double taken = headers == null ? 0 : headers.prefWidth(-1);
            return Math.min(modeLabel.prefWidth(-1), Math.max(0, tabsArea.getWidth() - taken - 24));
        }, tabsArea.widthProperty(), tabs.skinProperty(), modeLabel.textProperty()));
    }

    /** Loads {@code fxml} into {@code tab} the first time the tab is selected, then wires its controller. */
    private <C> void onFirstShow(Tab tab, String fxml, java.util.function.Consumer<C> wire) {
        Runnable load = () -> {
            var loader = new javafx.fxml.FXMLLoader(MainController.class.getResource(fxml));
            try {
                tab.setContent(loader.load());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            wire.accept(loader.getController());
        };
        if (tab.isSelected()) {
            load.run();
            return;
        }
        tab.selectedProperty().addListener(new javafx.beans.value.ChangeListener<>() {
            @Override
            public void changed(javafx.beans.value.ObservableValue<? extends Boolean> o, Boolean was, Boolean is) {
                if (!is) return;
                tab.selectedProperty().removeListener(this);
                load.run();
            }
        });
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
        statusFilter.setTitle(statusFilterTitle(checked));
        models.active().filter(filterField.getText(), checked.isEmpty() ? EnumSet.noneOf(RunStatus.class) : EnumSet.copyOf(checked));
    }

    /**
     * What the status filter shows, in words: nothing checked shows every status; one or two are
     * named; more are counted ("All statuses (0/8)" read as if nothing would show).
     */
    static String statusFilterTitle(List<RunStatus> checked) {
        if (checked.isEmpty() || checked.size() == RunStatus.values().length) return "All statuses";
        if (checked.size() <= 2) {
            return "Only " + checked.stream().sorted().map(s -> s.name().charAt(0) + s.name().substring(1).toLowerCase(java.util.Locale.ROOT))
                    .collect(java.util.stream.Collectors.joining(", "));
        }
        return checked.size() + " statuses";
    }

    /** Called on the clock tick: counts, executor use and workers are polled, not pushed. */
    void refreshStatus() {
        models.refresh(commands);
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
        graphs.whenComplete((list, error) -> Platform.runLater(() -> {
            submitButton.setDisable(false);
            if (list != null) openSubmitDialog(list);
        }));
    }

    private void openSubmitDialog(List<GraphInfo> graphs) {
        var dialog = new SubmitDialog(root.getScene().getWindow(), graphs);
        dialog.showAndWait().ifPresent(r -> commands.submit(r.graphId(), r.queue(), r.input(), r.policy()));
    }

    @FXML
    void onCancelSelected() {
        activeController.cancelSelected();
    }

    /**
     * Stops the runs at {@code level} (the rows' buttons and menu, the details pane's buttons), as asked
     * by the console; a run that had already ended (or vanished) by then is said so, not dropped.
     */
    void cancel(List<String> ids, StopLevel level) {
        commands.cancel(ids, CancelRequest.by(CancelOrigin.CONSOLE).at(level)).thenAccept(outcomes -> Platform.runLater(() -> {
            var late = new ArrayList<String>();
            for (int i = 0; i < outcomes.size(); i++) {
                var o = outcomes.get(i);
                if (o == CancelOutcome.ALREADY_FINISHED || o == CancelOutcome.UNKNOWN_RUN) {
                    var id = ids.get(i);
                    late.add(id.substring(Math.max(0, id.length() - 8)));
                }
            }
            if (!late.isEmpty()) {
                tell.accept(late.size() == 1 ? "Run " + late.getFirst() + " had already finished"
                        : late.size() + " runs had already finished",
                        "Nothing was " + (level == StopLevel.KILL ? "killed" : level == StopLevel.AFTER_NODE ? "stopped" : "cancelled")
                                + "; History shows how they ended.");
            }
        }));
    }

    /** Starts a new attempt; the details pane then lists it among the run's attempts. */
    void resume(String runId, String node) {
        commands.resume(runId, node).thenAccept(attempt -> Platform.runLater(() -> {
            tell.accept("Resumed run " + runId.substring(Math.max(0, runId.length() - 8)),
                    "New attempt " + attempt.shortId() + (node == null ? " continues after its last checkpoint" : " continues after " + node) + ".");
            models.details().reloadResumption();
        }));
    }

    /** Cancels and discards the runs' checkpoints (rollback). */
    void rollback(List<String> ids) {
        commands.cancel(ids, CancelRequest.by(CancelOrigin.CONSOLE).withMode(dev.tether.run.CancelMode.ROLLBACK))
                .thenAccept(o -> Platform.runLater(() -> models.details().reloadResumption()));
    }

    @FXML
    void onCancelAll() {
        int n = commands.activeCount();
        if (n == 0) return;
        var yes = new ButtonType("Cancel " + (n == 1 ? "1 run" : "all " + n + " runs"), ButtonBar.ButtonData.OK_DONE);
        var no = new ButtonType("Keep running", ButtonBar.ButtonData.CANCEL_CLOSE);
        var confirm = new Alert(Alert.AlertType.CONFIRMATION, "Every queued and running run will be cancelled.", yes, no);
        confirm.initOwner(root.getScene().getWindow());
        confirm.setHeaderText("Cancel all active runs?");
        confirm.getDialogPane().getStylesheets().setAll(root.getScene().getStylesheets());
        if (confirm.showAndWait().orElse(no) != yes) return;
        cancelSummary.pending("Cancel all", n);
        commands.cancelAll().thenAccept(report -> Platform.runLater(() -> cancelSummary.show("Cancel all", report)));
    }

    /** The toolbar's "Cancel selected" (and Delete): every selected run's outcome, in the summary above the tables. */
    void cancelSelected(List<String> ids) {
        cancelSummary.pending("Cancel selected", ids.size());
        commands.cancelSelected(ids).thenAccept(report -> Platform.runLater(() -> cancelSummary.show("Cancel selected", report)));
    }

    @FXML
    void onToggleTheme() {
        onThemeToggle.run();
    }
}
