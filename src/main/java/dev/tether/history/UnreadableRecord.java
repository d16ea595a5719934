package dev.tether.history;

import dev.tether.run.ErrorInfo;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;

import java.time.Instant;

/**
 * A history record that could not be read (truncated, garbage, from an unknown version): shown as a
 * run with what the store's own columns still say (id, graph, status, time) and an error naming the
 * reason, so that an operator sees it and nothing else breaks.
 */
public final class UnreadableRecord {
    /** The error type of such a stand-in. */
    public static final String TYPE = "UnreadableRecord";

    private UnreadableRecord() {}

    public static RunSnapshot standIn(String runId, String graphId, RunStatus status, Instant at, String reason) {
        var message = "unreadable record: " + reason;
        var s = status == null ? RunStatus.LOST : status;
        return new RunSnapshot(runId, graphId, null, null, s, null, 0, at, null, s.isTerminal() ? at : null, null, null,
                new ErrorInfo(TYPE, message, ""), null, null, 0, false);
    }

    public static boolean is(RunSnapshot r) {
        return r.error() != null && TYPE.equals(r.error().type());
    }
}
