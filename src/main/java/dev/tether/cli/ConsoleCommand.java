package dev.tether.cli;

import dev.tether.console.ConsoleOptions;
import dev.tether.console.TetherConsole;
import dev.tether.console.Theme;
import dev.tether.control.ControlFile;
import dev.tether.control.ControlServer;
import dev.tether.engine.ShutdownOnSignal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "console", description = "Open the desktop console on the embedded engine (the default command).")
final class ConsoleCommand implements Callable<Integer> {
    @Mixin EngineOptions engineOptions = new EngineOptions();
    @Mixin ApiOptions apiOptions = new ApiOptions();

    @Option(names = "--theme", description = "light or dark (default: ${DEFAULT-VALUE}).")
    Theme theme = Theme.LIGHT;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    int queuedShown = dev.tether.redis.RedisView.DEFAULT_QUEUED_SHOWN;

    /** Refused while parsing: before the console, or anything else, starts. */
    @Option(names = "--queued-shown", paramLabel = "N", defaultValue = "" + dev.tether.redis.RedisView.DEFAULT_QUEUED_SHOWN,
            description = "With --redis: the queued runs the Active table holds at most, the first in line (default: ${DEFAULT-VALUE}). "
                    + "Running runs are always shown; the others are counted in the status bar, and come in as shown ones leave.")
    void queuedShown(int n) {
        if (n < 1) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--queued-shown must be at least 1, got " + n);
        queuedShown = n;
    }

    @Override
    public Integer call() throws Exception {
        TetherConsole.startToolkit(); // (started already by Main when the command line asks for the console)
        apiOptions.options(null); // a bad --tcp-port is refused before anything starts
        // The home is claimed before the engine starts; the control API itself starts after the first frame (ConsoleServices).
        dev.tether.control.InstanceLock claim = null;
        try {
            claim = ControlServer.claim(ControlFile.defaultPath());
        } catch (IllegalStateException e) {
            // (a logger made only here: picocli makes this command for every command line, --version too)
            org.slf4j.LoggerFactory.getLogger(ConsoleCommand.class).warn("console opens without its control API: {}", e.getMessage());
        }
        var services = new ConsoleServices(claim, apiOptions);
        try {
            var engine = engineOptions.engine(false, queuedShown); // over Redis the window opens before every run is loaded
            services.engine(engine);
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
        } finally {
            services.close(); // the claim too, when the engine never started
        }
    }
}
