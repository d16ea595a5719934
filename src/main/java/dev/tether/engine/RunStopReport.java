package dev.tether.engine;

import dev.tether.run.CancelOrigin;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;

/**
 * One run's line in a {@link BulkCancelReport}.
 *
 * @param cancelLatencyMillis from the cancel request to the stop; null unless it stopped
 * @param stopLevel           the level used (after-node, cancel, kill); null when no cancel reached it
 * @param cancelOrigin        who asked for that stop
 */
public record RunStopReport(String runId, String graphId, String worker, StopOutcome outcome, RunStatus status,
                            Long cancelLatencyMillis, StopLevel stopLevel, CancelOrigin cancelOrigin) {

    /**
     * Classifies {@code run} as it is now.
     *
     * @param reached whether the cancel found it still active (false: it had already ended)
     */
    static RunStopReport of(RunSnapshot run, boolean reached) {
        var outcome = !reached ? StopOutcome.ALREADY_FINISHED : switch (run.status()) {
            case CANCELLED -> run.forced() ? StopOutcome.FORCED : StopOutcome.STOPPED_CLEANLY;
            case QUEUED, RUNNING, CANCELLING, STUCK -> StopOutcome.STILL_RUNNING;
            case COMPLETED, FAILED, LOST -> StopOutcome.ALREADY_FINISHED; // it ended on its own first
        };
        var latency = run.status() == RunStatus.CANCELLED && run.cancelLatency() != null ? run.cancelLatency().toMillis() : null;
        return new RunStopReport(run.runId(), run.graphId(), run.worker(), outcome, run.status(), latency,
                run.stopLevel(), run.cancelOrigin());
    }

    /** The last 8 characters of the id, as everywhere else. */
    public String shortId() {
        return runId.length() <= 8 ? runId : runId.substring(runId.length() - 8);
    }
}
