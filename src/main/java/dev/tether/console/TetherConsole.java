package dev.tether.console;

import dev.tether.engine.RunEngine;
import dev.tether.engine.ShutdownReport;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens the desktop console on an engine and blocks until the operator closes it. Closing cancels
 * everything and shuts the engine down (bounded by the options' timeout); the caller then exits.
 */
public final class TetherConsole extends Application {
    private static final AtomicReference<Launch> LAUNCH = new AtomicReference<>();
    /**
     * JavaFX warns at start-up that it was loaded from the class path ("unsupported configuration").
     * That is how the launcher ships it, deliberately; the warning would only alarm operators.
     * Held strongly so the level sticks.
     */
    private static final java.util.logging.Logger FX_STARTUP = java.util.logging.Logger.getLogger("javafx");

    private record Launch(RunEngine engine, ConsoleOptions options, AtomicReference<ShutdownReport> report) {}

    /** Only JavaFX calls this; use {@link #launch(RunEngine, ConsoleOptions)}. */
    public TetherConsole() {}

    /**
     * Shows the console; returns when its window was closed and the engine is shut down.
     *
     * @return the engine's shutdown report, or null if JavaFX exited another way
     */
    public static ShutdownReport launch(RunEngine engine, ConsoleOptions options) {
        var report = new AtomicReference<ShutdownReport>();
        if (!LAUNCH.compareAndSet(null, new Launch(engine, options, report))) {
            throw new IllegalStateException("the console is already open in this process");
        }
        FX_STARTUP.setLevel(java.util.logging.Level.SEVERE);
        Application.launch(TetherConsole.class);
        return report.get();
    }

    @Override
    public void start(Stage stage) {
        var launch = LAUNCH.get();
        var window = new ConsoleWindow(launch.engine(), launch.options());
        window.show(stage);
        window.exited().thenAccept(r -> {
            launch.report().set(r);
            Platform.exit();
        });
    }
}
