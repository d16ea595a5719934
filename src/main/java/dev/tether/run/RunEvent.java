package dev.tether.run;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.time.Instant;
import java.util.Map;

/**
 * A fact about a run. The registry learns about runs only from these small, serialisable values, so
 * a run executing in this JVM, a child JVM or a Redis worker reports the same way.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RunEvent.Submitted.class, name = "submitted"),
        @JsonSubTypes.Type(value = RunEvent.Waiting.class, name = "waiting"),
        @JsonSubTypes.Type(value = RunEvent.Started.class, name = "started"),
        @JsonSubTypes.Type(value = RunEvent.NodeStarted.class, name = "node-started"),
        @JsonSubTypes.Type(value = RunEvent.NodeFinished.class, name = "node-finished"),
        @JsonSubTypes.Type(value = RunEvent.CancelRequested.class, name = "cancel-requested"),
        @JsonSubTypes.Type(value = RunEvent.Cancelled.class, name = "cancelled"),
        @JsonSubTypes.Type(value = RunEvent.Completed.class, name = "completed"),
        @JsonSubTypes.Type(value = RunEvent.Failed.class, name = "failed"),
        @JsonSubTypes.Type(value = RunEvent.Stuck.class, name = "stuck"),
        @JsonSubTypes.Type(value = RunEvent.Lost.class, name = "lost"),
})
public sealed interface RunEvent {

    String runId();

    Instant at();

    /**
     * @param resumeOf set when the run is a resume of an earlier attempt (a person's, or a retry's)
     * @param policy   the limits it runs under, as resolved when it was submitted; null for none
     * @param retry    set when its policy started it as a retry of an earlier attempt
     */
    record Submitted(String runId, String graphId, String queue, Map<String, Object> input, Instant at, ResumeOf resumeOf,
                     RunPolicy policy, Retry retry) implements RunEvent {
        public Submitted {
            input = input == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(input));
            if (policy != null && policy.isEmpty()) policy = null;
        }

        public Submitted(String runId, String graphId, String queue, Map<String, Object> input, Instant at, ResumeOf resumeOf) {
            this(runId, graphId, queue, input, at, resumeOf, null, null);
        }

        public Submitted(String runId, String graphId, String queue, Map<String, Object> input, Instant at) {
            this(runId, graphId, queue, input, at, null, null, null);
        }
    }

    /** A queued run is held back, and why (e.g. its graph is at its limit of concurrent runs). */
    record Waiting(String runId, String reason, Instant at) implements RunEvent {}

    record Started(String runId, String worker, Instant at) implements RunEvent {}

    record NodeStarted(String runId, String node, Instant at) implements RunEvent {}

    /** {@code ok} is false when the node threw or was cancelled; only ok nodes count as steps. */
    record NodeFinished(String runId, String node, boolean ok, Instant at) implements RunEvent {}

    /**
     * A stop was asked for: what the run's record keeps of a {@link CancelRequest}.
     *
     * @param stopLevel how hard; null from an older sender
     * @param origin    who asked; null when unknown
     * @param reason    why, for a stop no person asked for (the limit a policy saw broken); null otherwise
     */
    record CancelRequested(String runId, Instant at, StopLevel stopLevel, CancelOrigin origin, String reason) implements RunEvent {
        public CancelRequested(String runId, Instant at) {
            this(runId, at, null, null, null);
        }

        public CancelRequested(String runId, Instant at, CancelRequest request) {
            this(runId, at, request.level(), request.origin(), request.reason());
        }
    }

    /**
     * The run has stopped: its thread and node futures are done, or ({@code forced}) its child
     * process and every process it started are confirmed gone. {@code atNode} is where it stopped
     * (null if before any).
     */
    record Cancelled(String runId, String atNode, Instant at, boolean forced) implements RunEvent {
        public Cancelled(String runId, String atNode, Instant at) {
            this(runId, atNode, at, false);
        }
    }

    record Completed(String runId, Instant at) implements RunEvent {}

    record Failed(String runId, ErrorInfo error, Instant at) implements RunEvent {}

    record Stuck(String runId, String atNode, Instant at) implements RunEvent {}

    record Lost(String runId, String reason, Instant at) implements RunEvent {}
}
