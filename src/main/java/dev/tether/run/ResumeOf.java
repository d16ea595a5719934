package dev.tether.run;

import java.util.Objects;

/**
 * Marks a run as a resume: a new attempt of {@code runId} that starts from that run's checkpoint
 * after {@code node} (null: its last complete checkpoint), so only the nodes after it run again.
 *
 * @param runId        the attempt resumed (itself possibly a resume: attempts form a chain)
 * @param node         the completed node it continues after; null for the latest checkpoint
 * @param checkpointId the checkpoint it started from, once known (set by the engine that copied it)
 */
public record ResumeOf(String runId, String node, String checkpointId) {
    public ResumeOf {
        Objects.requireNonNull(runId, "runId");
    }
}
