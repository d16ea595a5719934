package dev.tether.console;

import javafx.animation.AnimationTimer;
import javafx.scene.Scene;


/**
 * Startup measurement: with {@code -Dtether.firstPaint.report=true} (or the environment variable
 * {@code TETHER_FIRST_PAINT_REPORT=true}, for launchers that take no JVM options) the console prints
 * the marker line {@code first-paint} to stderr on the second pulse after its window is shown, i.e.
 * once the first frame has been rendered. The time is taken outside, by whoever launched it
 * ({@code src/main/installer/first-paint.sh}): inside, the process start is only known to the whole
 * second on Linux. With {@code TETHER_FIRST_PAINT_EXIT=true} it then exits, with or without the
 * marker: the installer build trains its start-up cache this way (it used to set only this variable,
 * so the training window stayed open until the build's 120 s timeout killed it).
 */
final class FirstPaint {
    private FirstPaint() {}

    /** Runs {@code then} on the FX thread on the second pulse after the window is shown: its first frame is painted. */
    static void afterFirstFrame(Scene scene, Runnable then) {
        if (scene.getWindow() != null) afterShown(scene.getWindow(), then);
        else scene.windowProperty().addListener((o, a, w) -> {
            if (w != null) afterShown(w, then);
        });
    }

    private static void afterShown(javafx.stage.Window w, Runnable then) {
        w.addEventHandler(javafx.stage.WindowEvent.WINDOW_SHOWN, e -> new AnimationTimer() {
            int pulses;

            @Override
            public void handle(long now) {
                if (++pulses < 2) return;
                stop();
                then.run();
            }
        }.start());
    }

    static void reportAfterShow(Scene scene) {
        boolean report = Boolean.getBoolean("tether.firstPaint.report") || "true".equals(System.getenv("TETHER_FIRST_PAINT_REPORT"));
        boolean exit = "true".equals(System.getenv("TETHER_FIRST_PAINT_EXIT"));
        if (!report && !exit) return;
        afterFirstFrame(scene, () -> {
            if (report) {
                System.err.println("first-paint");
                System.err.flush();
            }
            // training runs (start-up cache at build time) end here, through a normal exit
            if (exit) System.exit(0);
        });
    }
}
