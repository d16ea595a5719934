package dev.tether.console;

import dev.tether.engine.RunEngine;
import dev.tether.engine.ShutdownReport;
import javafx.application.Platform;
import javafx.stage.Stage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens the desktop console on an engine and blocks until the operator closes it. Closing cancels
 * everything and shuts the engine down (bounded by the options' timeout); the caller then exits.
 *
 * <p>The toolkit may be started earlier, on its own thread ({@link #startToolkit()}): the launcher
 * does so before it parses its command line and builds the engine, so that the two overlap instead
 * of adding up before the first frame.
 */
public final class TetherConsole {
    private static final AtomicReference<CompletableFuture<Void>> TOOLKIT = new AtomicReference<>();
    private static final AtomicBoolean LAUNCHED = new AtomicBoolean();
    /**
     * JavaFX warns at start-up that it was loaded from the class path ("unsupported configuration").
     * That is how the launcher ships it, deliberately; the warning would only alarm operators.
     * Held strongly so the level sticks.
     */
    private static final java.util.logging.Logger FX_STARTUP = java.util.logging.Logger.getLogger("javafx");

    private TetherConsole() {}

    /**
     * Starts the JavaFX toolkit on a thread of its own, once; returns at once. Completes when the
     * toolkit is up, or exceptionally where it cannot start (no display, no GTK 3): {@link #launch}
     * then says so, and a process that never opens the console never learns of it.
     */
    public static CompletableFuture<Void> startToolkit() {
        var started = new CompletableFuture<Void>();
        if (!TOOLKIT.compareAndSet(null, started)) return TOOLKIT.get();
        FX_STARTUP.setLevel(java.util.logging.Level.SEVERE);
        ToolkitEnvironment.settle(); // before the toolkit's threads edit the environment beside ours
        Thread.ofPlatform().daemon().name("tether-fx-start").start(() -> {
            try {
                Platform.startup(() -> started.complete(null));
            } catch (RuntimeException | Error e) {
                started.completeExceptionally(e);
            }
        });
        return started;
    }

    /**
     * Shows the console; returns when its window was closed and the engine is shut down.
     *
     * @return the engine's shutdown report
     */
    public static ShutdownReport launch(RunEngine engine, ConsoleOptions options) {
        if (!LAUNCHED.compareAndSet(false, true)) {
            throw new IllegalStateException("the console is already open in this process");
        }
        join(startToolkit());
        var exited = new CompletableFuture<ShutdownReport>();
        Platform.runLater(() -> {
            try {
                var window = new ConsoleWindow(engine, options);
                window.show(new Stage());
                window.exited().whenComplete((report, failure) -> {
                    if (failure != null) exited.completeExceptionally(failure);
                    else exited.complete(report);
                });
            } catch (RuntimeException | Error e) {
                exited.completeExceptionally(e);
            }
        });
        try {
            return join(exited);
        } finally {
            Platform.exit();
        }
    }

    /** The value, or the failure as it was thrown (RuntimeException or Error), not wrapped. */
    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }
}
