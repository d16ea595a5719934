package dev.tether.cli;

import dev.tether.run.RunSnapshot;

import java.time.Instant;

/**
 * A run as {@code --json} prints it. These field names are a published interface (README lists
 * them): add fields, never rename or remove.
 */
record RunView(String runId, String shortId, String graph, String queue, String worker, String status,
               String currentNode, int steps, Instant submittedAt, Instant startedAt, Instant endedAt,
               double runtimeSeconds, boolean cancellable, Instant cancelRequestedAt, String cancelledAtNode,
               Long cancelLatencyMillis, String errorType, String errorMessage, boolean forced, String stopLevel,
               String cancelOrigin, String resumeOf, String resumedAfterNode, String cancelReason,
               java.util.Map<String, String> policy, java.util.Map<String, String> policySources, Integer attempt,
               Integer maxAttempts, String retryOf, Instant retryDue, String retryAfter, String waiting, Instant deadline) {

    static RunView of(RunSnapshot r, Instant now) {
        var latency = r.cancelLatency();
        return new RunView(r.runId(), r.shortId(), r.graphId(), r.queue(), r.worker(), r.status().name(), r.currentNode(),
                r.steps(), r.submittedAt(), r.startedAt(), r.endedAt(), r.runtime(now).toMillis() / 1000.0, r.isCancellable(),
                r.cancelRequestedAt(), r.cancelledAtNode(), latency == null ? null : latency.toMillis(),
                r.error() == null ? null : r.error().type(), r.error() == null ? null : r.error().message(), r.forced(),
                r.stopLevel() == null ? null : r.stopLevel().label(), r.cancelOrigin() == null ? null : r.cancelOrigin().name(),
                r.resumeOf() == null ? null : r.resumeOf().runId(), r.resumeOf() == null ? null : r.resumeOf().node(),
                r.cancelReason(), r.policy() == null ? null : r.policy().values(), r.policy() == null ? null : r.policy().sources(),
                attempt(r), r.policy() == null ? null : Integer.valueOf(r.policy().attempts()), r.retry() == null ? null : r.retry().previous(),
                r.retry() == null ? null : r.retry().due(), r.retry() == null ? null : r.retry().after(), r.waiting(), r.deadline());
    }

    /** This attempt's number under a policy: 1 for a first attempt, the retry's otherwise; null without a policy. */
    private static Integer attempt(RunSnapshot r) {
        if (r.retry() != null) return r.retry().attempt();
        return r.policy() == null ? null : Integer.valueOf(1);
    }
}
