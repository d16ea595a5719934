package dev.tether.logging;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A spell of one repeated failure (a store that refuses writes, a Redis that refuses, a step that fails at
 * every pass), and when to say it: at its first failure, at once when its reason changes, and otherwise at
 * most once a minute while it goes on, so that a log shows that it started, that it lasts and why,
 * without a line per attempt. Whoever says it may also say once that it ended ({@link #recovered}).
 * Thread-safe.
 */
public final class FailureSpell {
    /** How often a failure that goes on is said again. */
    public static final Duration EVERY = Duration.ofMinutes(1);

    /** What to say of a failure. */
    public enum Say {
        /** Nothing: it was said less than {@link #EVERY} ago, for the same reason. */
        NOTHING,
        /** That a spell started: its first failure. */
        STARTED,
        /** That it goes on: a reason other than the one said last, or {@link #EVERY} since it was last said. */
        AGAIN;

        /** Whether anything is to be said. */
        public boolean any() {
            return this != NOTHING;
        }
    }

    /** A spell that ended: how long it lasted and how many failures it had. */
    public record Over(Duration lasted, long failures) {
        /** Whole seconds, as logs say it. */
        public long seconds() {
            return lasted.toSeconds();
        }
    }

    private final LongSupplier nanoClock;
    private final long everyNanos;
    private volatile long failures; // in this spell; 0: no spell under way (read without the lock by recovered)
    private long since;
    private long saidAt;
    private Object said;

    public FailureSpell() {
        this(System::nanoTime, EVERY);
    }

    /** @param nanoClock a monotonic clock in nanoseconds (a test's own) */
    public FailureSpell(LongSupplier nanoClock, Duration every) {
        this.nanoClock = nanoClock;
        this.everyNanos = every.toNanos();
    }

    /** One more failure, for {@code reason} (any value with equals; null when there is one reason only): what to say now. */
    public synchronized Say failed(Object reason) {
        long now = nanoClock.getAsLong();
        var say = failures == 0 ? Say.STARTED : !Objects.equals(reason, said) || now - saidAt >= everyNanos ? Say.AGAIN : Say.NOTHING;
        if (failures == 0) since = now;
        failures++;
        if (say.any()) {
            saidAt = now;
            said = reason;
        }
        return say;
    }

    /** Failures in the spell under way (1 at its first); 0 when none is. */
    public long failures() {
        return failures;
    }

    /**
     * The failure stopped: the spell that ended, to be said once, or null when none was under way (nothing
     * to say). Cheap when none was (no lock): a caller's every success may ask.
     */
    public Over recovered() {
        if (failures == 0) return null;
        synchronized (this) {
            if (failures == 0) return null;
            var over = new Over(Duration.ofNanos(nanoClock.getAsLong() - since), failures);
            failures = 0;
            said = null;
            return over;
        }
    }
}
