package dev.tether.redis;

import dev.tether.console.ConsoleOptions;
import dev.tether.console.ConsoleWindow;
import dev.tether.testing.Hang;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;
import org.testfx.util.WaitForAsyncUtils;

import java.util.concurrent.TimeUnit;

/**
 * A console window over a Redis view, in TestFX's stage: opened as the launcher opens it, closed as its
 * user would (the window's close button), then the view closed.
 */
final class ConsoleOnRedis implements AutoCloseable {
    final RedisView view;
    final ConsoleWindow window;
    final Stage stage;

    private ConsoleOnRedis(RedisView view, Stage stage) {
        this.view = view;
        this.stage = stage;
        this.window = new ConsoleWindow(view, ConsoleOptions.defaults());
        window.show(stage);
    }

    /** On the FX thread (a TestFX {@code @Start} method). */
    static ConsoleOnRedis show(RedisView view, Stage stage) {
        return new ConsoleOnRedis(view, stage);
    }

    /** Asks the window to close (unless a test already did) and waits until it has. */
    void closeWindow() throws Exception {
        if (!window.exited().isDone()) {
            WaitForAsyncUtils.asyncFx(() -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST)));
            window.exited().get(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        closeWindow();
        view.close();
    }
}
