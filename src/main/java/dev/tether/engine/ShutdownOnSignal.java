package dev.tether.engine;

import java.time.Duration;

/**
 * SIGINT / SIGTERM handling for any process that owns an engine (serve, worker, console): the JVM's
 * shutdown hook cancels every run, waits up to the timeout, reports what did not stop, and then lets
 * the JVM end — run threads are daemons, so a STUCK run cannot hold it.
 */
public final class ShutdownOnSignal {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShutdownOnSignal.class);

    private ShutdownOnSignal() {}

    /**
     * @param afterShutdown runs after the engine is down (remove a control file, close a server);
     *                      may be null
     * @return the hook thread, to remove it when the process shuts the engine down itself
     */
    public static Thread install(RunEngine engine, Duration timeout, Runnable afterShutdown) {
        var hook = new Thread(() -> {
            if (!engine.isShutdown()) {
                LOG.info("signal received: cancelling all runs (waiting up to {} s)", timeout.toSeconds());
                var report = engine.shutdown(timeout, dev.tether.run.CancelOrigin.SIGNAL);
                if (!report.clean()) LOG.warn("forced exit; still running: {}", report.notStopped());
            }
            if (afterShutdown != null) {
                try {
                    afterShutdown.run();
                } catch (RuntimeException e) {
                    LOG.warn("cleanup after shutdown failed", e);
                }
            }
        }, "tether-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }
}
