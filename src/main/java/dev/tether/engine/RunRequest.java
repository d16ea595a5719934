package dev.tether.engine;

import java.time.Instant;
import java.util.Map;

/**
 * Everything needed to start a run anywhere: serialisable, so it can travel through Redis or to a child JVM.
 *
 * @param resumeOf set for a resume: the run starts from that attempt's checkpoint instead of from START
 */
public record RunRequest(String runId, String graphId, String queue, Map<String, Object> input, Instant submittedAt,
                         dev.tether.run.ResumeOf resumeOf) {
    public RunRequest {
        input = input == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(input));
    }

    public RunRequest(String runId, String graphId, String queue, Map<String, Object> input, Instant submittedAt) {
        this(runId, graphId, queue, input, submittedAt, null);
    }

    public dev.tether.run.RunEvent.Submitted submitted() {
        return new dev.tether.run.RunEvent.Submitted(runId, graphId, queue, input, submittedAt, resumeOf);
    }
}
