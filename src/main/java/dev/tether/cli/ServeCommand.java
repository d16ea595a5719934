package dev.tether.cli;

import dev.tether.control.ControlFile;
import dev.tether.control.ControlServer;
import dev.tether.engine.ShutdownOnSignal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", description = {"Run the engine headless with its control API on the loopback interface.",
        "SIGINT/SIGTERM cancel every run, wait (--shutdown-timeout), then exit."})
final class ServeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin EngineOptions engineOptions = new EngineOptions();

    @Override
    public Integer call() throws Exception {
        var engine = engineOptions.engine();
        var metrics = dev.tether.metrics.TetherMetrics.of(engine);
        ControlServer server;
        try {
            server = ControlServer.start(engine, ControlFile.defaultPath(), metrics::scrape);
        } catch (IllegalStateException e) {
            engine.shutdown(java.time.Duration.ZERO);
            engineOptions.closeHistory();
            metrics.close();
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        ShutdownOnSignal.install(engine, engineOptions.shutdownTimeout, () -> {
            server.close();
            engineOptions.closeHistory(); // after the engine: its runs' last states are written
            metrics.close();
        });
        var out = spec.commandLine().getOut();
        out.println("tether serving: engine " + engine.mode() + ", " + engineOptions.concurrency + " slots, control API http://127.0.0.1:"
                + server.port() + " (control file " + server.controlFile() + "); stop with Ctrl+C or SIGTERM");
        out.flush();
        new CountDownLatch(1).await(); // the signal hook shuts down; the JVM then exits
        return ExitCodes.OK;
    }
}
