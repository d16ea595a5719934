package dev.tether.cli;

import dev.tether.control.ControlFile;
import dev.tether.control.ControlServer;
import dev.tether.engine.RunEngine;
import dev.tether.metrics.TetherMetrics;

/**
 * What a console serves besides its window: the control API (for the command line) and the meters
 * behind its {@code /metrics}. The first frame needs neither, so they start after it, on a thread of
 * their own; closing before they started means they never do.
 */
final class ConsoleServices implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConsoleServices.class);

    private final RunEngine engine;
    private TetherMetrics metrics;
    private ControlServer server;
    private boolean closed;

    ConsoleServices(RunEngine engine) {
        this.engine = engine;
    }

    /** Starts them in the background (at most once). */
    void startInBackground() {
        Thread.ofPlatform().daemon().name("tether-console-services").start(this::start);
    }

    synchronized void start() {
        if (closed || metrics != null) return;
        metrics = TetherMetrics.of(engine);
        try {
            server = ControlServer.start(engine, ControlFile.defaultPath(), metrics::scrape);
        } catch (IllegalStateException | java.io.IOException e) { // another instance holds it, or the home is not writable
            LOG.warn("the console runs without its control API: {}", e.getMessage());
        }
    }

    /** Stops the control API (its file removed) and the meters. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (server != null) server.close();
        server = null;
        if (metrics != null) metrics.close();
        metrics = null;
    }
}
