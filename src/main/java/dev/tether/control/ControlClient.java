package dev.tether.control;
import dev.tether.engine.EngineStats;
import dev.tether.engine.GraphInfo;
import dev.tether.run.CancelOutcome;
import dev.tether.run.RunSnapshot;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the command line needs from a running Tether, wherever it is: the local console or server
 * over HTTP ({@link HttpControlClient}), or any {@link dev.tether.engine.RunEngine} in this process
 * ({@link InProcessControlClient}, e.g. a Redis client). Failures are {@link ControlException}s.
 */
public interface ControlClient extends AutoCloseable {
    List<GraphInfo> graphs();

    List<RunSnapshot> list(boolean includeFinished);

    /** A page of the active runs in id (submission) order, read where they live (Redis: its live index, O(page)). */
    dev.tether.run.ActivePage active(dev.tether.run.ActiveQuery query);

    /**
     * A page of the run history, newest first: finished runs (by end time) and active ones (by submit
     * time), kept across restarts where the instance has a durable history.
     */
    dev.tether.history.HistoryPage history(dev.tether.history.HistoryQuery query);

    /** One run by full id, or a unique prefix/suffix of at least {@link dev.tether.run.RunIds#MIN_REFERENCE_LENGTH} characters. */
    RunSnapshot get(String runId);

    /** @param input raw text values, typed by the graph's default input */
    default RunSnapshot submit(String graphId, String queue, Map<String, String> input) {
        return submit(graphId, queue, input, null);
    }

    /**
     * @param input  raw text values, typed by the graph's default input
     * @param policy the run's own limits (null: none), over its graph's and queue's
     */
    RunSnapshot submit(String graphId, String queue, Map<String, String> input, dev.tether.run.RunPolicy policy);

    /**
     * The one cancel: at the request's level (after-node, cancel, kill; see {@link dev.tether.run.StopLevel}),
     * in its mode (keep the checkpoints, or discard them once the run stopped), recorded as asked by its
     * origin (the API when it names none).
     */
    CancelResult cancel(String runId, dev.tether.run.CancelRequest request);

    /**
     * Starts a new attempt of a finished run from its checkpoint after {@code afterNode} (null: the latest).
     *
     * @throws ControlException NOT_RESUMABLE when it is still active or has no readable checkpoint there
     */
    RunSnapshot resume(String runId, String afterNode);

    /** The run's checkpoints, oldest first. */
    List<dev.tether.engine.CheckpointInfo> checkpoints(String runId);

    /** The run's attempts (the first and every resume), oldest first. */
    List<RunSnapshot> attempts(String runId);

    /**
     * Cancels every active run as {@code request} says (its origin is what the runs' records keep) and
     * reports how each came out, waiting up to {@code wait} in all for them to stop (or become STUCK).
     */
    dev.tether.engine.BulkCancelReport cancelAll(dev.tether.run.CancelRequest request, Duration wait);

    /** The run once terminal; empty if it was not terminal within {@code timeout}. */
    Optional<RunSnapshot> awaitTerminal(String runId, Duration timeout);

    EngineStats stats();

    /** Where runs execute ("embedded", a Redis address). */
    String mode();

    @Override
    default void close() {}

    record CancelResult(String runId, CancelOutcome outcome, RunSnapshot run) {}
}
