package dev.tether.engine;

import dev.tether.run.CancelOrigin;
import dev.tether.run.ResumeOf;
import dev.tether.run.Retry;
import dev.tether.run.RunIds;
import dev.tether.run.RunPolicy;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether a run that ended gets another attempt under its policy, and that attempt: a new run that
 * resumes after the ended one's last good checkpoint (so completed nodes do not run again), due once
 * its backoff is over. Pure: where the retry waits (the embedded store, a Redis due-time index) is the
 * caller's business.
 */
public final class RetryPlan {
    private RetryPlan() {}

    /** The attempt number of a run: 1 for a first attempt (or a person's resume, which starts its own count). */
    public static int attemptOf(RunSnapshot run) {
        return run.retry() == null ? 1 : run.retry().attempt();
    }

    /**
     * The next attempt of {@code ended}, if its policy retries how it ended and attempts are left.
     *
     * @param now    when it ended (the backoff counts from here)
     * @param random a number in [0, 1) for the jitter
     */
    public static Optional<RunRequest> next(RunSnapshot ended, Instant now, double random) {
        var policy = ended.policy();
        if (policy == null || !ended.isTerminal() || !retried(ended, policy)) return Optional.empty();
        int next = attemptOf(ended) + 1;
        if (next > policy.attempts()) return Optional.empty();
        var due = now.plus(policy.backoff(next, random));
        var retry = new Retry(ended.runId(), next, policy.attempts(), due, describe(ended));
        return Optional.of(new RunRequest(RunIds.next(), ended.graphId(), ended.queue(), ended.input(), now,
                new ResumeOf(ended.runId(), null, null), policy, retry));
    }

    private static boolean retried(RunSnapshot ended, RunPolicy policy) {
        var on = policy.retriedOutcomes();
        return switch (ended.status()) {
            case FAILED -> on.contains(RunPolicy.RetryOn.FAILED) && !rejected(ended)
                    && policy.retriesError(ended.error() == null ? null : ended.error().type());
            case LOST -> on.contains(RunPolicy.RetryOn.LOST);
            case CANCELLED, STUCK -> on.contains(RunPolicy.RetryOn.DEADLINE) && byDeadline(ended);
            default -> false;
        };
    }

    /** Refused before it started (a malformed job, no worker has its graph): another attempt would be refused too. */
    private static boolean rejected(RunSnapshot ended) {
        return ended.startedAt() == null;
    }

    private static boolean byDeadline(RunSnapshot ended) {
        return ended.cancelOrigin() == CancelOrigin.DEADLINE || ended.cancelOrigin() == CancelOrigin.NODE_DEADLINE;
    }

    /** What ended an attempt, in one line: FAILED: IOException: reset / LOST: ... / CANCELLED by DEADLINE (max-runtime 10s). */
    public static String describe(RunSnapshot ended) {
        var s = ended.status();
        String text;
        if ((s == RunStatus.CANCELLED || s == RunStatus.STUCK) && ended.cancelOrigin() != null) {
            text = s + " by " + ended.cancelOrigin() + (ended.cancelReason() == null ? "" : " (" + ended.cancelReason() + ")");
        } else if (ended.error() != null) {
            text = s + ": " + (s == RunStatus.LOST ? ended.error().message() : ended.error().summary());
        } else {
            text = s.name();
        }
        return text.length() > 300 ? text.substring(0, 300) : text;
    }
}
