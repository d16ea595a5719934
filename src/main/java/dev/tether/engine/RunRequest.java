package dev.tether.engine;

import dev.tether.run.ResumeOf;
import dev.tether.run.Retry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunPolicy;

import java.time.Instant;
import java.util.Map;

/**
 * Everything needed to start a run anywhere: serialisable, so it can travel through Redis or to a child JVM.
 *
 * @param resumeOf set for a resume: the run starts from that attempt's checkpoint instead of from START
 * @param policy   the limits it runs under, resolved where it was submitted (null: none)
 * @param retry    set for an attempt its policy started after an earlier one ended
 */
public record RunRequest(String runId, String graphId, String queue, Map<String, Object> input, Instant submittedAt,
                         ResumeOf resumeOf, RunPolicy policy, Retry retry) {
    public RunRequest {
        input = input == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(input));
        if (policy != null && policy.isEmpty()) policy = null;
    }

    public RunRequest(String runId, String graphId, String queue, Map<String, Object> input, Instant submittedAt, ResumeOf resumeOf) {
        this(runId, graphId, queue, input, submittedAt, resumeOf, null, null);
    }

    public RunRequest(String runId, String graphId, String queue, Map<String, Object> input, Instant submittedAt) {
        this(runId, graphId, queue, input, submittedAt, null, null, null);
    }

    public RunEvent.Submitted submitted() {
        return new RunEvent.Submitted(runId, graphId, queue, input, submittedAt, resumeOf, policy, retry);
    }

    /**
     * What a child JVM of process isolation is given: the run with only the limit it enforces itself
     * (max-steps, at its node boundary); the parent keeps the clock (deadlines end in a kill there).
     */
    public RunRequest forChild(boolean startOver) {
        var steps = policy == null || policy.maxSteps() == null ? null
                : RunPolicy.of("max-steps", Integer.toString(policy.maxSteps()));
        return new RunRequest(runId, graphId, queue, input, submittedAt, startOver ? null : resumeOf, steps, null);
    }

    /** The policy, never null. */
    public RunPolicy limits() {
        return policy == null ? RunPolicy.NONE : policy;
    }

    /** Not before: a retry waits for its backoff. */
    public Instant due() {
        return retry != null && retry.due().isAfter(submittedAt) ? retry.due() : submittedAt;
    }

    /** The stop its max-queued asks for once it has waited too long (only a run still queued takes it). */
    public dev.tether.run.CancelRequest expiry() {
        return new dev.tether.run.CancelRequest(dev.tether.run.StopLevel.CANCEL, dev.tether.run.CancelOrigin.EXPIRED,
                dev.tether.run.CancelMode.INTERRUPT, "max-queued " + dev.tether.run.PolicyText.duration(policy.maxQueued()));
    }

    /** When it expires unstarted (its max-queued after {@link #due()}); null without one. */
    public Instant expiresAt() {
        return policy == null || policy.maxQueued() == null ? null : due().plus(policy.maxQueued());
    }
}
