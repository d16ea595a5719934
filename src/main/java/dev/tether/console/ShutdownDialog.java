package dev.tether.console;

import dev.tether.engine.RunEngine;
import dev.tether.engine.ShutdownReport;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.VBox;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.StageStyle;
import javafx.stage.Window;
import javafx.util.Duration;

import java.util.function.Consumer;

/**
 * The shutdown as it happens: runs left, the countdown to the force deadline, and "Force now". The
 * engine's shutdown runs on its own thread; "Force now" interrupts it, which makes the engine stop
 * waiting and report what did not stop. The dialog polls (10 times a second) rather than listens,
 * so a flood of final events cannot reach the FX thread.
 */
final class ShutdownDialog {
    private final RunEngine engine;
    private final java.time.Duration deadline;
    private final Stage stage = new Stage();
    private final Label runsLeft = new Label();
    private final Label countdown = new Label();
    private final ProgressBar progress = new ProgressBar(0);
    private final Button force = new Button("Force now");
    private Thread worker;
    private Timeline poll;

    ShutdownDialog(Window owner, RunEngine engine, java.time.Duration deadline) {
        this.engine = engine;
        this.deadline = deadline;
        var title = new Label("Shutting down");
        title.getStyleClass().add("dialog-title");
        runsLeft.setId("shutdownRunsLeft");
        runsLeft.setWrapText(true);
        countdown.setId("shutdownCountdown");
        countdown.getStyleClass().add("hint");
        progress.setMaxWidth(Double.MAX_VALUE);
        force.setId("forceNow");
        force.getStyleClass().add("danger");
        force.setOnAction(e -> forceNow());
        var box = new VBox(10, title, runsLeft, progress, countdown, force);
        box.getStyleClass().addAll("shutdown-dialog", "tether-root");
        box.setPadding(new Insets(18));
        box.setPrefWidth(380);
        var scene = new Scene(box);
        if (owner != null && owner.getScene() != null) scene.getStylesheets().setAll(owner.getScene().getStylesheets());
        stage.setScene(scene);
        stage.setTitle("Tether — shutting down");
        stage.initStyle(StageStyle.UTILITY);
        if (owner != null) {
            stage.initOwner(owner);
            stage.initModality(Modality.WINDOW_MODAL);
        }
        stage.setOnCloseRequest(e -> e.consume()); // the only ways out are the deadline and "Force now"
    }

    /** Starts the shutdown; {@code onDone} gets the report on the FX thread. */
    void start(Consumer<ShutdownReport> onDone) {
        int initial = Math.max(1, engine.registry().active().size() + engine.stats().stuck());
        long start = System.nanoTime();
        update(initial, start);
        poll = new Timeline(new KeyFrame(Duration.millis(100), e -> update(initial, start)));
        poll.setCycleCount(Timeline.INDEFINITE);
        poll.play();
        stage.show();
        worker = Thread.ofPlatform().name("tether-console-shutdown").daemon().start(() -> {
            var report = engine.shutdown(deadline);
            Platform.runLater(() -> {
                poll.stop();
                stage.hide();
                onDone.accept(report);
            });
        });
    }

    private void update(int initial, long start) {
        int active = engine.registry().active().size();
        int stuck = engine.stats().stuck();
        int left = active + stuck;
        var text = active == 0 ? "All cancellable runs stopped." : active == 1 ? "1 run still stopping…" : active + " runs still stopping…";
        if (stuck > 0) text += "  " + stuck + " stuck (cannot be stopped in-process; exit will be forced).";
        runsLeft.setText(text);
        progress.setProgress((initial - left) / (double) initial);
        long remaining = Math.max(0, deadline.toMillis() - (System.nanoTime() - start) / 1_000_000);
        countdown.setText(String.format("Forcing exit in %d s", (remaining + 999) / 1000));
    }

    void forceNow() {
        force.setDisable(true);
        countdown.setText("Forcing exit…");
        var w = worker;
        if (w != null) w.interrupt();
    }

    boolean isShowing() {
        return stage.isShowing();
    }
}
