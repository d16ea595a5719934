package dev.tether.engine;

import java.time.Instant;
import java.util.Map;

/** Everything needed to start a run anywhere: serialisable, so it can travel through Redis or to a child JVM. */
public record RunRequest(String runId, String graphId, String queue, Map<String, Object> input, Instant submittedAt) {
    public RunRequest {
        input = input == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(input));
    }
}
