package dev.tether.console;

import java.time.Duration;
import java.util.List;

/**
 * @param shutdownTimeout how long closing the window waits for runs to stop before forcing
 * @param linger          how long a finished run stays in the Active table before it moves to History
 * @param theme           the look at start
 * @param graphProblems   plugins that were skipped when the graphs were loaded (shown once at start)
 * @param afterFirstFrame runs on the FX thread once the window's first frame is painted: what start-up
 *                        defers until then (the control API, the meters) starts from here
 */
public record ConsoleOptions(Duration shutdownTimeout, Duration linger, Theme theme, List<String> graphProblems,
                             Runnable afterFirstFrame) {
    public ConsoleOptions {
        graphProblems = List.copyOf(graphProblems);
        java.util.Objects.requireNonNull(afterFirstFrame);
    }

    public static ConsoleOptions defaults() {
        return new ConsoleOptions(Duration.ofSeconds(30), Duration.ofSeconds(5), Theme.LIGHT, List.of(), () -> {});
    }

    public ConsoleOptions withShutdownTimeout(Duration d) {
        return new ConsoleOptions(d, linger, theme, graphProblems, afterFirstFrame);
    }

    public ConsoleOptions withLinger(Duration d) {
        return new ConsoleOptions(shutdownTimeout, d, theme, graphProblems, afterFirstFrame);
    }

    public ConsoleOptions withTheme(Theme t) {
        return new ConsoleOptions(shutdownTimeout, linger, t, graphProblems, afterFirstFrame);
    }

    public ConsoleOptions withGraphProblems(List<String> problems) {
        return new ConsoleOptions(shutdownTimeout, linger, theme, problems, afterFirstFrame);
    }

    public ConsoleOptions withAfterFirstFrame(Runnable r) {
        return new ConsoleOptions(shutdownTimeout, linger, theme, graphProblems, r);
    }
}
