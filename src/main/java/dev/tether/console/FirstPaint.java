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

    static void reportAfterShow(Scene scene) {
        boolean report = Boolean.getBoolean("tether.firstPaint.report") || "true".equals(System.getenv("TETHER_FIRST_PAINT_REPORT"));
        boolean exit = "true".equals(System.getenv("TETHER_FIRST_PAINT_EXIT"));
        if (!report && !exit) return;
        if (scene.getWindow() != null) watch(scene.getWindow(), report, exit);
        else scene.windowProperty().addListener((o, a, w) -> {
            if (w != null) watch(w, report, exit);
        });
    }

    private static void watch(javafx.stage.Window w, boolean report, boolean exit) {
        w.addEventHandler(javafx.stage.WindowEvent.WINDOW_SHOWN, e -> new AnimationTimer() {
            int pulses;

            @Override
            public void handle(long now) {
                if (++pulses < 2) return;
                stop();
                if (report) {
                    System.err.println("first-paint");
                    System.err.flush();
                }
                // training runs (start-up cache at build time) end here, through a normal exit
                if (exit) System.exit(0);
            }
        }.start());
    }
}
