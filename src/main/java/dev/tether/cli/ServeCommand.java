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

@Command(name = "serve", description = {"Run the engine headless with its control API (a socket in the Tether home; --tcp-port adds loopback TCP).",
        "SIGINT/SIGTERM cancel every run, wait (--shutdown-timeout), then exit."})
final class ServeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin EngineOptions engineOptions = new EngineOptions();
    @Mixin ApiOptions apiOptions = new ApiOptions();

    @Override
    public Integer call() throws Exception {
        dev.tether.control.InstanceLock claim;
        try {
            // Before anything starts: a second instance on this home is refused with no engine, history or child JVM started.
            claim = ControlServer.claim(ControlFile.defaultPath());
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        ControlServer server;
        dev.tether.metrics.TetherMetrics metrics;
        try {
            var options = apiOptions.options(null);
            var engine = engineOptions.engine();
            metrics = dev.tether.metrics.TetherMetrics.of(engine);
            try {
                server = ControlServer.start(engine, claim, new ControlServer.Options(metrics::scrape, options.tcpPort()));
            } catch (java.io.IOException | RuntimeException e) {
                engine.shutdown(java.time.Duration.ZERO);
                engineOptions.closeHistory();
                metrics.close();
                throw e;
            }
            var m = metrics;
            ShutdownOnSignal.install(engine, engineOptions.shutdownTimeout, () -> {
                server.close();
                engineOptions.closeHistory(); // after the engine: its runs' last states are written
                m.close();
            });
            var out = spec.commandLine().getOut();
            var file = server.published();
            out.println("tether serving: engine " + engine.mode() + ", " + engineOptions.concurrency + " slots, control API on "
                    + file.socket() + (file.baseUrl() == null ? "" : " and " + file.baseUrl()) + " (control file " + server.controlFile()
                    + "); stop with Ctrl+C or SIGTERM");
            out.flush();
        } catch (Exception e) {
            claim.close();
            throw e;
        }
        new CountDownLatch(1).await(); // the signal hook shuts down; the JVM then exits
        return ExitCodes.OK;
    }
}
