package dev.tether.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An immutable view of one run at one moment. Only {@link RunStateMachine} makes new ones.
 *
 * @param version number of events applied so far; a newer snapshot of the same run always has a
 *                larger version, which lets observers drop stale copies
 * @param forced  CANCELLED by destroying its process (level 3, or a cancel whose grace ran out in
 *                process isolation), once the process and its descendants were confirmed gone
 * @param stopLevel the strongest stop level asked for (after-node, cancel, kill: its label in JSON);
 *                  null before any cancel, and in records written before it was kept
 * @param cancelOrigin who asked for that stop (console, command line, API, shutdown, signal, or a
 *                  policy: deadline, ...); null when unknown
 * @param resumeOf the attempt this run resumes; null for a first attempt
 * @param cancelReason why it was stopped, when no person asked (the limit a policy saw broken, e.g.
 *                  {@code max-runtime 10m}); null otherwise
 * @param policy   the limits it runs under (values and where each came from); null for none
 * @param retry    set for an attempt its policy started after an earlier one failed: which attempt,
 *                 when it falls due, what ended the earlier one
 * @param waiting  why a queued run is held back (its graph or queue at its limit); null otherwise
 */
// The Redis scripts read these five from the head of a stored record (put.lua's live index): they come first.
@JsonPropertyOrder({"runId", "graphId", "queue", "worker", "status"})
public record RunSnapshot(
        String runId,
        String graphId,
        String queue,
        String worker,
        RunStatus status,
        String currentNode,
        int steps,
        Instant submittedAt,
        Instant startedAt,
        Instant endedAt,
        Instant cancelRequestedAt,
        String cancelledAtNode,
        ErrorInfo error,
        Map<String, Object> input,
        List<NodeSpan> timeline,
        long version,
        boolean forced,
        StopLevel stopLevel,
        CancelOrigin cancelOrigin,
        ResumeOf resumeOf,
        String cancelReason,
        RunPolicy policy,
        Retry retry,
        String waiting) {

    public RunSnapshot {
        // A view holds every active run: names it shares with thousands of others are held once,
        // the input compactly, an empty timeline as the one empty list.
        graphId = Shared.text(graphId);
        queue = Shared.text(queue);
        worker = Shared.text(worker);
        currentNode = Shared.text(currentNode);
        cancelledAtNode = Shared.text(cancelledAtNode);
        input = CompactInput.of(input);
        timeline = timeline == null || timeline.isEmpty() ? List.of() : timeline;
    }

    /** A first attempt (the form before resumes existed). */
    public RunSnapshot(String runId, String graphId, String queue, String worker, RunStatus status, String currentNode,
                       int steps, Instant submittedAt, Instant startedAt, Instant endedAt, Instant cancelRequestedAt,
                       String cancelledAtNode, ErrorInfo error, Map<String, Object> input, List<NodeSpan> timeline,
                       long version, boolean forced) {
        this(runId, graphId, queue, worker, status, currentNode, steps, submittedAt, startedAt, endedAt, cancelRequestedAt,
                cancelledAtNode, error, input, timeline, version, forced, null, null, null, null, null, null, null);
    }

    /** A first attempt with its stop level and who asked. */
    public RunSnapshot(String runId, String graphId, String queue, String worker, RunStatus status, String currentNode,
                       int steps, Instant submittedAt, Instant startedAt, Instant endedAt, Instant cancelRequestedAt,
                       String cancelledAtNode, ErrorInfo error, Map<String, Object> input, List<NodeSpan> timeline,
                       long version, boolean forced, StopLevel stopLevel, CancelOrigin cancelOrigin) {
        this(runId, graphId, queue, worker, status, currentNode, steps, submittedAt, startedAt, endedAt, cancelRequestedAt,
                cancelledAtNode, error, input, timeline, version, forced, stopLevel, cancelOrigin, null, null, null, null, null);
    }

    /** The last 8 characters of the id (the random part of a time-ordered id): what a person reads and types. */
    @JsonIgnore
    public String shortId() {
        return runId.length() <= 8 ? runId : runId.substring(runId.length() - 8);
    }

    @JsonIgnore
    public boolean isTerminal() {
        return status.isTerminal();
    }

    /** Time spent running: from start to end, or to {@code now} while active; zero before start. */
    public Duration runtime(Instant now) {
        if (startedAt == null) return Duration.ZERO;
        var end = endedAt != null ? endedAt : now;
        return end.isBefore(startedAt) ? Duration.ZERO : Duration.between(startedAt, end);
    }

    /** From the cancel request to the run's terminal state, when both happened. */
    @JsonIgnore
    public Duration cancelLatency() {
        if (cancelRequestedAt == null || endedAt == null) return null;
        return Duration.between(cancelRequestedAt, endedAt);
    }

    /** Whether a cancel request can still change anything. */
    @JsonIgnore
    public boolean isCancellable() {
        return status == RunStatus.QUEUED || status == RunStatus.RUNNING;
    }

    /** The next version; only a run still queued keeps its reason for waiting. */
    RunSnapshot with(RunStatus status, String worker, String currentNode, int steps, Instant startedAt,
                     Instant endedAt, Instant cancelRequestedAt, String cancelledAtNode, ErrorInfo error,
                     List<NodeSpan> timeline) {
        return new RunSnapshot(runId, graphId, queue, worker, status, currentNode, steps, submittedAt,
                startedAt, endedAt, cancelRequestedAt, cancelledAtNode, error, input, timeline, version + 1, forced,
                stopLevel, cancelOrigin, resumeOf, cancelReason, policy, retry, status == RunStatus.QUEUED ? waiting : null);
    }

    RunSnapshot forcedStop() {
        return new RunSnapshot(runId, graphId, queue, worker, status, currentNode, steps, submittedAt,
                startedAt, endedAt, cancelRequestedAt, cancelledAtNode, error, input, timeline, version, true,
                stopLevel, cancelOrigin, resumeOf, cancelReason, policy, retry, waiting);
    }

    /** The same run, held back for {@code reason} (null: no longer). */
    RunSnapshot waitingFor(String reason) {
        return new RunSnapshot(runId, graphId, queue, worker, status, currentNode, steps, submittedAt,
                startedAt, endedAt, cancelRequestedAt, cancelledAtNode, error, input, timeline, version, forced,
                stopLevel, cancelOrigin, resumeOf, cancelReason, policy, retry, reason);
    }

    /** When a run with a max-runtime must have ended (from its start); null without one, or before it started. */
    @JsonIgnore
    public Instant deadline() {
        if (policy == null || policy.maxRuntime() == null || startedAt == null) return null;
        return startedAt.plus(policy.maxRuntime());
    }

    /** When a queued run with a max-queued expires (from its submit, or its retry's due time); null without one. */
    @JsonIgnore
    public Instant expiresAt() {
        if (policy == null || policy.maxQueued() == null) return null;
        var from = retry != null && retry.due().isAfter(submittedAt) ? retry.due() : submittedAt;
        return from.plus(policy.maxQueued());
    }

    /** The same run, stopped at {@code level} at the request of {@code origin}, for {@code reason}. */
    RunSnapshot stopAskedBy(StopLevel level, CancelOrigin origin, String reason) {
        return new RunSnapshot(runId, graphId, queue, worker, status, currentNode, steps, submittedAt,
                startedAt, endedAt, cancelRequestedAt, cancelledAtNode, error, input, timeline, version, forced,
                level, origin, resumeOf, reason, policy, retry, waiting);
    }
}
