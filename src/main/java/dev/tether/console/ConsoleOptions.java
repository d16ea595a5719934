package dev.tether.console;

import java.time.Duration;

/**
 * @param shutdownTimeout how long closing the window waits for runs to stop before forcing
 * @param linger          how long a finished run stays in the Active table before it moves to History
 * @param theme           the look at start
 */
public record ConsoleOptions(Duration shutdownTimeout, Duration linger, Theme theme) {
    public static ConsoleOptions defaults() {
        return new ConsoleOptions(Duration.ofSeconds(30), Duration.ofSeconds(5), Theme.LIGHT);
    }

    public ConsoleOptions withShutdownTimeout(Duration d) {
        return new ConsoleOptions(d, linger, theme);
    }

    public ConsoleOptions withLinger(Duration d) {
        return new ConsoleOptions(shutdownTimeout, d, theme);
    }

    public ConsoleOptions withTheme(Theme t) {
        return new ConsoleOptions(shutdownTimeout, linger, t);
    }
}
