package dev.tether.console;

import dev.tether.engine.RunEngine;
import dev.tether.engine.ShutdownReport;
import dev.tether.registry.ChangeFeed;
import javafx.fxml.FXMLLoader;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.image.Image;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.stage.Stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

/**
 * The console's main window over one engine: builds the scene from FXML, starts the pulse pump, and
 * owns the exit sequence (confirm, shut the engine down with a visible countdown, then close).
 */
public final class ConsoleWindow {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConsoleWindow.class);

    private final RunEngine engine;
    private final ConsoleOptions options;
    private final CompletableFuture<ShutdownReport> exited = new CompletableFuture<>();
    private Stage stage;
    private Scene scene;
    private MainController controller;
    private UiPump pump;
    private ConsoleCommands commands;
    private Notifier notifier;
    private ActiveRunsModel active;
    private ConsoleModels models;
    private Theme theme;
    private boolean exiting;
    private ShutdownDialog shutdownDialog;

    public ConsoleWindow(RunEngine engine, ConsoleOptions options) {
        this.engine = engine;
        this.options = options;
        this.theme = options.theme();
    }

    /** Builds the window on {@code stage} and shows it. FX thread. */
    public void show(Stage stage) {
        this.stage = stage;
        // open the feed before reading the registry, so nothing that happens in between is missed
        ChangeFeed feed = engine.registry().openFeed();
        notifier = new Notifier(() -> stage);
        commands = new ConsoleCommands(engine, msg -> notifier.error("Command failed", msg));

        var loader = new FXMLLoader(ConsoleWindow.class.getResource("MainWindow.fxml"));
        Parent root;
        try {
            root = loader.load();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        controller = loader.getController();
        // the pump's callbacks read the models when they run, after the models are made over its clock
        pump = new UiPump(feed, batch -> {
            var ended = models.active().apply(batch, System.nanoTime());
            if (!ended.isEmpty()) {
                models.history().add(ended);
                notifier.ended(ended);
                models.metrics().ended(ended);
            }
        }, () -> models.active().tick(System.nanoTime()), () -> controller.refreshStatus());
        models = ConsoleModels.of(commands, options, pump.clockMillis());
        active = models.active();
        controller.init(commands, models, this::toggleTheme, notifier::information);

        var shown = new java.util.ArrayList<>(engine.registry().active());
        // a STUCK run whose thread still runs is still active in every sense but its state
        for (var id : engine.runsOnThreads()) {
            engine.registry().get(id).filter(r -> r.status() == dev.tether.run.RunStatus.STUCK).ifPresent(shown::add);
        }
        active.apply(shown, System.nanoTime());
        models.history().reload(); // the newest page, off the FX thread (LOST runs of a killed process included)

        scene = new Scene(root, 1280, 760);
        theme.applyTo(scene);

        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.N, KeyCombination.SHORTCUT_DOWN), controller::onSubmit);
        stage.setScene(scene);
        stage.setTitle("Tether — " + engine.mode());
        var icon = ConsoleWindow.class.getResource("/assets/tether.png");
        if (icon != null) stage.getIcons().setAll(new Image(icon.toExternalForm()));
        stage.setOnCloseRequest(e -> {
            e.consume();
            requestExit();
        });
        FirstPaint.reportAfterShow(scene);
        FirstPaint.afterFirstFrame(scene, options.afterFirstFrame());
        pump.start();
        controller.refreshStatus();
        stage.show();
        commands.graphs(); // described in the background, ready when Submit is first clicked
        reportGraphProblems();
        for (var warning : engine.warnings()) notifier.warning("Check " + engine.mode(), warning);
    }

    /** Plugins skipped at load: one notification naming the first, the rest in `tether graphs`. */
    private void reportGraphProblems() {
        var problems = options.graphProblems();
        if (problems.isEmpty()) return;
        var title = problems.size() == 1 ? "A plugin was skipped" : problems.size() + " plugins were skipped";
        notifier.warning(title, problems.getFirst() + (problems.size() > 1 ? "\n(`tether graphs` lists them all)" : ""));
    }

    /** What the window's close button does: confirm if runs are active, then shut down. FX thread. */
    public void requestExit() {
        if (exiting) return;
        int n = engine.ownsRuns() ? engine.registry().active().size() : 0; // remote runs go on without us
        if (n > 0) {
            var exit = new ButtonType("Cancel all and exit", ButtonBar.ButtonData.OK_DONE);
            var back = new ButtonType("Go back", ButtonBar.ButtonData.CANCEL_CLOSE);
            var confirm = new Alert(Alert.AlertType.WARNING,
                    (n == 1 ? "1 run is" : n + " runs are") + " still active. Exiting cancels "
                            + (n == 1 ? "it" : "them all") + " and waits up to "
                            + options.shutdownTimeout().toSeconds() + " s for them to stop.", exit, back);
            confirm.initOwner(stage);
            confirm.setHeaderText("Cancel all runs and exit?");
            confirm.getDialogPane().getStylesheets().setAll(scene.getStylesheets());
            if (confirm.showAndWait().orElse(back) != exit) return;
        }
        exiting = true;
        shutdownDialog = new ShutdownDialog(stage, engine, options.shutdownTimeout());
        shutdownDialog.start(this::closed);
    }

    private void closed(ShutdownReport report) {
        if (!report.clean()) {
            LOG.warn("exit forced; {} runs had not stopped: {}", report.notStopped().size(), report.notStopped());
        }
        pump.stop();
        commands.close();
        // popups (notifications) must go before their owner, or the toolkit trips over closed views
        for (var w : java.util.List.copyOf(javafx.stage.Window.getWindows())) {
            if (w instanceof javafx.stage.PopupWindow) w.hide();
        }
        stage.hide();
        exited.complete(report);
    }

    /** Completes once the engine is shut down and the window closed. */
    public CompletableFuture<ShutdownReport> exited() {
        return exited;
    }

    private void toggleTheme() {
        theme = theme.other();
        theme.applyTo(scene);
        controller.themeToggle.setSelected(theme == Theme.DARK);
    }

    // ---- for tests and benchmarks in this package

    MainController controller() {
        return controller;
    }

    ActiveRunsModel activeModel() {
        return active;
    }

    UiPump pump() {
        return pump;
    }

    Notifier notifier() {
        return notifier;
    }

    Stage stage() {
        return stage;
    }

    ShutdownDialog shutdownDialog() {
        return shutdownDialog;
    }
}
