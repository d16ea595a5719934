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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConsoleCommand.class);

    @Mixin EngineOptions engineOptions = new EngineOptions();
    @Mixin ApiOptions apiOptions = new ApiOptions();

    @Option(names = "--theme", description = "light or dark (default: ${DEFAULT-VALUE}).")
    Theme theme = Theme.LIGHT;

    @Override
    public Integer call() throws Exception {
        apiOptions.options(null); // a bad --tcp-port is refused before anything starts
        dev.tether.control.InstanceLock claim = null;
        try {
            claim = ControlServer.claim(ControlFile.defaultPath());
        } catch (IllegalStateException e) {
            LOG.warn("console opens without its control API: {}", e.getMessage());
        }
        var engine = engineOptions.engine();
        var metrics = dev.tether.metrics.TetherMetrics.of(engine);
        ControlServer server = null;
        if (claim != null) {
            try {
                server = ControlServer.start(engine, claim, apiOptions.options(metrics::scrape));
            } catch (java.io.IOException | RuntimeException e) {
                claim.close();
                LOG.warn("console opens without its control API: {}", e.getMessage());
            }
        }
        var api = server;
        ShutdownOnSignal.install(engine, engineOptions.shutdownTimeout, () -> {
            if (api != null) api.close();
            engineOptions.closeHistory(); // after the engine: its runs' last states are written
        });
        try {
            TetherConsole.launch(engine, ConsoleOptions.defaults()
                    .withShutdownTimeout(engineOptions.shutdownTimeout).withTheme(theme)
                    .withGraphProblems(engineOptions.catalog().problems()));
            return ExitCodes.OK;
        } catch (RuntimeException | LinkageError noToolkit) {
            throw new IllegalStateException(dev.tether.console.ToolkitFailure.explain(noToolkit), noToolkit);
        } finally {
            if (api != null) api.close();
            if (!engine.isShutdown()) engine.shutdown(engineOptions.shutdownTimeout);
            engineOptions.closeHistory();
            metrics.close();
        }
    }
}
