package dev.tether.console;

import javafx.beans.value.ObservableLongValue;

/**
 * The presentation models of the console's panels, made together over one engine's commands, and
 * what the clock tick asks of them. FX thread only.
 */
record ConsoleModels(ActiveRunsModel active, HistoryModel history, DetailsModel details, MetricsModel metrics,
                     WorkersModel workers, StatusModel status, ObservableLongValue clock) {

    /** Runs per page of the History panel. */
    static final int HISTORY_PAGE = 100;

    static ConsoleModels of(ConsoleCommands commands, ConsoleOptions options, ObservableLongValue clock) {
        return new ConsoleModels(new ActiveRunsModel(options.linger()), new HistoryModel(commands::history, javafx.application.Platform::runLater, HISTORY_PAGE),
                new DetailsModel(commands::graphs, commands::resumption), new MetricsModel(), new WorkersModel(commands::workers), new StatusModel(), clock);
    }

    /** Once per clock tick: the polled values (counts, executor use, metrics sample, workers). */
    void refresh(ConsoleCommands commands) {
        var counts = commands.counts();
        metrics.sample(System.currentTimeMillis(), counts);
        status.refresh(counts, commands.stats(), commands.mode(), commands.connected(), commands.loading(), commands.queuedNotShown());
        active.release(commands.runsOnThreads(), System.nanoTime());
        workers.refresh(System.nanoTime());
    }
}
