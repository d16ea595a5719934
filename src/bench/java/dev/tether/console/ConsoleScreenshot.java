package dev.tether.console;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import javafx.application.Platform;
import javafx.stage.Stage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Opens the real console on a busy embedded engine and writes PNG snapshots of the window (light and
 * dark). Run under a display (e.g. Xvfb) to look at what an operator sees:
 * {@code mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.console.ConsoleScreenshot -Dbench.args=target/shots}
 */
public final class ConsoleScreenshot {
    public static void main(String[] args) throws Exception {
        var out = Path.of(args.length > 0 ? args[0] : "target/shots");
        java.nio.file.Files.createDirectories(out);
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(6).withCancelGrace(Duration.ofSeconds(2)),
                GraphCatalog.load(null), new RunRegistry());
        for (int i = 0; i < 3; i++) engine.submit("book-workflow", null, Map.of("nodeMillis", 1_500 + 400 * i));
        engine.submit("welcome-email", null, Map.of());
        engine.submit("cpu-crunch", null, Map.of("millis", 60_000));
        var stubborn = engine.submit("stubborn", null, Map.of("seconds", 20)).runId();
        for (int i = 0; i < 3; i++) engine.submit("book-workflow", "ai_processing", Map.of("nodeMillis", 3_000));
        var quick = engine.submit("welcome-email", null, Map.of()).runId();
        var bad = engine.submit("book-workflow", null, Map.of("nodeMillis", "oops"));
        Thread.sleep(1_500);
        var started = new CountDownLatch(1);
        Platform.startup(started::countDown);
        started.await();
        var window = new ConsoleWindow[1];
        var opened = new CountDownLatch(1);
        Platform.runLater(() -> {
            window[0] = new ConsoleWindow(engine, ConsoleOptions.defaults().withLinger(Duration.ofSeconds(60)).withShutdownTimeout(Duration.ofSeconds(3)));
            window[0].show(new Stage());
            var table = window[0].controller().activeController.table;
            table.getSelectionModel().select(0);
            opened.countDown();
        });
        // the cancels once the console watches: the Metrics tab counts what ended while it was open,
        // and the stubborn run went STUCK before the window on a slow start
        opened.await();
        engine.cancel(quick);
        engine.cancel(stubborn);
        Thread.sleep(4_000);
        shoot(window[0], out.resolve("console-light.png"));
        for (int i = 0; i < 12; i++) engine.submit("welcome-email", null, Map.of());
        Platform.runLater(() -> window[0].controller().onToggleTheme());
        Thread.sleep(800);
        shoot(window[0], out.resolve("console-dark.png"));
        Platform.runLater(() -> {
            window[0].controller().onToggleTheme();
            window[0].controller().tabs.getSelectionModel().select(1);
            window[0].controller().historyController.table.getSelectionModel().select(0);
        });
        Thread.sleep(800);
        shoot(window[0], out.resolve("console-history.png"));
        Platform.runLater(() -> window[0].controller().onToggleTheme());
        Thread.sleep(800);
        shoot(window[0], out.resolve("console-history-dark.png"));
        Platform.runLater(() -> window[0].controller().onToggleTheme());
        Thread.sleep(300);
        // a few stops with their latencies for the Metrics tab's tables
        for (var r : engine.registry().active()) {
            if (r.graphId().equals("book-workflow") && r.status() == dev.tether.run.RunStatus.RUNNING) {
                engine.cancel(r.runId(), dev.tether.run.CancelRequest.by(dev.tether.run.CancelOrigin.CLI));
                break;
            }
        }
        Thread.sleep(1_200);
        Platform.runLater(() -> window[0].controller().tabs.getSelectionModel().select(2));
        Thread.sleep(1_500);
        shoot(window[0], out.resolve("console-metrics-light.png"));
        Platform.runLater(() -> window[0].controller().onToggleTheme());
        Thread.sleep(800);
        shoot(window[0], out.resolve("console-metrics-dark.png"));
        // Cancel selected over every active run: the outcome summary above the tables
        Platform.runLater(() -> {
            window[0].controller().tabs.getSelectionModel().select(0);
            window[0].controller().cancelSelected(engine.registry().active().stream().map(r -> r.runId()).toList());
        });
        Thread.sleep(4_000);
        shoot(window[0], out.resolve("console-cancel-summary-dark.png"));
        Platform.runLater(() -> window[0].controller().onToggleTheme());
        Thread.sleep(800);
        shoot(window[0], out.resolve("console-cancel-summary-light.png"));
        // a run cancelled after two completed nodes: the details pane offers Resume and lists its checkpoints
        var resumable = engine.submit("book-workflow", null, Map.of("nodeMillis", 400, "jitter", 0)).runId();
        while (!"draft".equals(engine.registry().get(resumable).orElseThrow().currentNode())) Thread.sleep(10);
        engine.cancel(resumable);
        engine.awaitTerminal(resumable, Duration.ofSeconds(5));
        Thread.sleep(1_000); // its row is drawn on a pulse
        {
            Platform.runLater(() -> {
                window[0].controller().cancelSummary.dismiss();
                var table = window[0].controller().activeController.table;
                table.getItems().stream().filter(row -> row.runId().equals(resumable)).findFirst()
                        .ifPresent(row -> table.getSelectionModel().select(row));
            });
            Thread.sleep(1_500);
            shoot(window[0], out.resolve("console-resume-light.png"));
            Platform.runLater(() -> window[0].controller().onToggleTheme());
            Thread.sleep(800);
            shoot(window[0], out.resolve("console-resume-dark.png"));
        }
        // leave the way an operator does (nothing active, so no confirmation): engine shut down, window closed
        engine.cancelAll(dev.tether.run.CancelRequest.DEFAULT);
        Thread.sleep(500);
        Platform.runLater(() -> window[0].requestExit());
        var report = window[0].exited().get(10, java.util.concurrent.TimeUnit.SECONDS);
        Platform.exit();
        System.out.println("shutdown: " + report);
        System.out.println("screenshots in " + out.toAbsolutePath() + "; bad input was " + bad.status());
        System.exit(0);
    }

    private static void shoot(ConsoleWindow w, Path file) throws Exception {
        var done = new CountDownLatch(1);
        Platform.runLater(() -> {
            try {
                var image = w.stage().getScene().snapshot(null);
                Png.write(image, file);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                done.countDown();
            }
        });
        done.await();
    }
}
