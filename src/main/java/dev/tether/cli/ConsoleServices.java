package dev.tether.cli;

import dev.tether.control.ControlServer;
import dev.tether.control.InstanceLock;
import dev.tether.engine.RunEngine;
import dev.tether.metrics.TetherMetrics;

/**
 * What a console serves besides its window: the control API (for the command line) and the meters
 * behind its {@code /metrics}. The first frame needs neither, so they start after it, on a thread of
 * their own; closing before they started means they never do. The home's claim is taken before the
 * engine starts (a console that finds another instance serving its home opens without the API).
 */
final class ConsoleServices implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConsoleServices.class);

    /** Null when another instance holds the home; handed to the server once it starts. */
    private InstanceLock claim;
    private final ApiOptions apiOptions;
    private RunEngine engine;
    private TetherMetrics metrics;
    private ControlServer server;
    private boolean closed;

    ConsoleServices(InstanceLock claim, ApiOptions apiOptions) {
        this.claim = claim;
        this.apiOptions = apiOptions;
    }

    synchronized void engine(RunEngine engine) {
        this.engine = engine;
    }

    /** Starts them in the background (at most once). */
    void startInBackground() {
        Thread.ofPlatform().daemon().name("tether-console-services").start(this::start);
    }

    synchronized void start() {
        if (closed || metrics != null || engine == null) return;
        // over Redis the runs load from here on: their CPU would have held the first frame back (RedisView.liveLoading)
        engine.startLoading();
        metrics = TetherMetrics.of(engine);
        if (claim == null) return;
        var held = claim;
        claim = null; // the server owns it from here, or it is released below
        try {
            server = ControlServer.start(engine, held, apiOptions.options(metrics::scrape));
        } catch (java.io.IOException | RuntimeException e) { // a port taken, the home not writable
            held.close();
            LOG.warn("the console runs without its control API: {}", e.getMessage());
        }
    }

    /** Stops the control API (its file removed, the home released) and the meters. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (server != null) server.close();
        server = null;
        if (claim != null) claim.close();
        claim = null;
        if (metrics != null) metrics.close();
        metrics = null;
    }
}
