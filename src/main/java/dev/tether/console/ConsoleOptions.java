package dev.tether.console;

import java.time.Duration;
import java.util.List;

/**
 * @param shutdownTimeout how long closing the window waits for runs to stop before forcing
 * @param linger          how long a finished run stays in the Active table before it moves to History
 * @param theme           the look at start
 * @param graphProblems   plugins that were skipped when the graphs were loaded (shown once at start)
 */
public record ConsoleOptions(Duration shutdownTimeout, Duration linger, Theme theme, List<String> graphProblems) {
    public ConsoleOptions {
        graphProblems = List.copyOf(graphProblems);
    }

    public static ConsoleOptions defaults() {
        return new ConsoleOptions(Duration.ofSeconds(30), Duration.ofSeconds(5), Theme.LIGHT, List.of());
    }

    public ConsoleOptions withShutdownTimeout(Duration d) {
        return new ConsoleOptions(d, linger, theme, graphProblems);
    }

    public ConsoleOptions withLinger(Duration d) {
        return new ConsoleOptions(shutdownTimeout, d, theme, graphProblems);
    }

    public ConsoleOptions withTheme(Theme t) {
        return new ConsoleOptions(shutdownTimeout, linger, t, graphProblems);
    }

    public ConsoleOptions withGraphProblems(List<String> problems) {
        return new ConsoleOptions(shutdownTimeout, linger, theme, problems);
    }
}
