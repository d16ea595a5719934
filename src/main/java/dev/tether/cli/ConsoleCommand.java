package dev.tether.cli;

import dev.tether.console.ConsoleOptions;
import dev.tether.console.TetherConsole;
import dev.tether.console.Theme;
import dev.tether.engine.ShutdownOnSignal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "console", description = "Open the desktop console on the embedded engine (the default command).")
final class ConsoleCommand implements Callable<Integer> {
    @Mixin EngineOptions engineOptions = new EngineOptions();

    @Option(names = "--theme", description = "light or dark (default: ${DEFAULT-VALUE}).")
    Theme theme = Theme.LIGHT;

    @Override
    public Integer call() throws Exception {
        TetherConsole.startToolkit(); // (started already by Main when the command line asks for the console)
        var engine = engineOptions.engine();
        var services = new ConsoleServices(engine);
        ShutdownOnSignal.install(engine, engineOptions.shutdownTimeout, () -> {
            services.close();
            engineOptions.closeHistory(); // after the engine: its runs' last states are written
        });
        try {
            TetherConsole.launch(engine, ConsoleOptions.defaults()
                    .withShutdownTimeout(engineOptions.shutdownTimeout).withTheme(theme)
                    .withGraphProblems(engineOptions.catalog().problems())
                    .withAfterFirstFrame(services::startInBackground));
            return ExitCodes.OK;
        } catch (RuntimeException | LinkageError noToolkit) {
            throw new IllegalStateException(dev.tether.console.ToolkitFailure.explain(noToolkit), noToolkit);
        } finally {
            services.close();
            if (!engine.isShutdown()) engine.shutdown(engineOptions.shutdownTimeout);
            engineOptions.closeHistory();
        }
    }
}
