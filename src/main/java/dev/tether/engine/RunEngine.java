package dev.tether.engine;

import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelOrigin;
import dev.tether.run.RunSnapshot;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the console, the command line and the control API drive: submit, observe, cancel. The
 * embedded engine runs graphs in this JVM; the Redis client hands them to workers. Both report
 * through a {@link RunRegistry}.
 */
public interface RunEngine extends AutoCloseable {
    Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    RunRegistry registry();

    List<GraphInfo> graphs();

    /**
     * Queues a run.
     *
     * @param queue null for the graph's (routed) default queue
     * @param input merged over the graph's default input
     * @throws IllegalArgumentException for an unknown graph or bad input
     * @throws IllegalStateException when the engine is shutting down or its queue is full
     */
    RunSnapshot submit(String graphId, String queue, Map<String, Object> input);

    CancelOutcome cancel(String runId);

    /**
     * Cancels at a {@link StopLevel}; on a run already being cancelled, a stronger level escalates
     * it. An engine that cannot tell its runs apart by level treats every level as a cancel.
     */
    default CancelOutcome cancel(String runId, StopLevel level) {
        return cancel(runId);
    }

    /** A cancel at {@code level} asked for by {@code origin}, which the run's record keeps (who asked). */
    default CancelOutcome cancel(String runId, StopLevel level, CancelOrigin origin) {
        return cancel(runId, level);
    }

    /** The active runs as the engine knows them now (a view that mirrors nothing reads them where they live). */
    default List<RunSnapshot> activeRuns() {
        return registry().active();
    }

    /** One run as the engine knows it now, by full id. */
    default Optional<RunSnapshot> run(String runId) {
        return registry().get(runId);
    }

    /** Cancels every active run; returns the ids a cancel was sent to. */
    List<String> cancelAll();

    /** {@link #cancelAll()} on behalf of {@code origin}. */
    default List<String> cancelAll(CancelOrigin origin) {
        return cancelAll();
    }

    /** Waits until the run is terminal; empty on timeout. */
    Optional<RunSnapshot> awaitTerminal(String runId, Duration timeout) throws InterruptedException;

    EngineStats stats();

    /** Where runs execute: "embedded", or the Redis address without credentials. */
    String mode();

    /**
     * Whether the engine can reach where its runs execute right now. Always true for the embedded
     * engine; a remote one reports a lost connection here while it reconnects (views show it).
     */
    default boolean connected() {
        return true;
    }

    /** Where runs execute: this process's slots, or every live worker's heartbeat. */
    default List<WorkerInfo> workers() {
        return List.of();
    }

    /**
     * Whether this engine's runs live and die with it (embedded), rather than on workers elsewhere:
     * closing an owning engine cancels its runs; closing a view of remote workers only disconnects.
     */
    default boolean ownsRuns() {
        return true;
    }

    /**
     * Cancels everything, waits up to {@code timeout} for runs to stop, then gives up on the rest
     * (reported, never shown as cancelled) and releases every thread the engine owns.
     */
    ShutdownReport shutdown(Duration timeout);

    /** {@link #shutdown(Duration)}, its cancels recorded as asked by {@code origin} (a shutdown or a signal). */
    default ShutdownReport shutdown(Duration timeout, CancelOrigin origin) {
        return shutdown(timeout);
    }

    boolean isShutdown();

    @Override
    default void close() {
        shutdown(DEFAULT_SHUTDOWN_TIMEOUT);
    }
}
