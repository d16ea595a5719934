package dev.tether.console;

import dev.tether.engine.RunEngine;

/** Opens the desktop console on an engine; returns when the window is closed and the engine shut down. */
public final class TetherConsole {
    private TetherConsole() {}

    public static void launch(RunEngine engine) {
        throw new UnsupportedOperationException("the desktop console is being built in its own issue");
    }
}
