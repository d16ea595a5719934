package dev.tether.console;

import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;

import java.time.Duration;
import java.time.Instant;

/**
 * What a run's policy leaves it, as the active table shows it: the time to its max-runtime while it
 * runs, to its max-queued while it waits, or until its retry falls due.
 *
 * @param left what is left (zero once passed)
 * @param what "", "expires in", "retry in"
 */
record Countdown(Duration left, String what, boolean deadline) {
    static final Duration NEAR = Duration.ofSeconds(10);

    /** Null when no limit applies to the run now. */
    static Countdown of(RunSnapshot r, Instant now) {
        if (r.status() == RunStatus.RUNNING && r.deadline() != null) {
            return new Countdown(until(now, r.deadline()), "", true);
        }
        if (r.status() == RunStatus.QUEUED) {
            if (r.retry() != null && r.retry().due().isAfter(now)) return new Countdown(until(now, r.retry().due()), "retry in ", false);
            if (r.expiresAt() != null) return new Countdown(until(now, r.expiresAt()), "expires ", false);
        }
        return null;
    }

    private static Duration until(Instant now, Instant at) {
        var d = Duration.between(now, at);
        return d.isNegative() ? Duration.ZERO : d;
    }

    String text() {
        return what + Formats.hms(left);
    }

    /** A deadline about to pass: marked on the row. */
    boolean near() {
        return deadline && left.compareTo(NEAR) <= 0;
    }
}
