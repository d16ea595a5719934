package dev.tether.redis;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether Redis answered last time, with an exponential backoff (100 ms to 5 s) while it does not;
 * and, for the metrics, how often contact came back and how long the regular round trips take.
 */
final class Connectivity implements RedisHealth {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Connectivity.class);
    private final AtomicBoolean up = new AtomicBoolean(true);
    private final AtomicInteger failures = new AtomicInteger();
    private final String where;
    private final java.util.concurrent.atomic.AtomicLong reconnects = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong roundTrips = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong roundTripNanos = new java.util.concurrent.atomic.AtomicLong();
    private volatile long lastRoundTripNanos;
    /** Refusals, said by reason; a spell that no answer breaks does not end it: a server at its limit refuses one write in two. */
    private final dev.tether.logging.FailureSpell refusals = new dev.tether.logging.FailureSpell();
    /** Writes Redis kept but its replicas did not confirm in time (a replica away or catching up after a failover). */
    private final dev.tether.logging.FailureSpell unconfirmed = new dev.tether.logging.FailureSpell();

    Connectivity(String where) {
        this.where = where;
    }

    /**
     * Whether {@code e} means no answer, not a refusal: a connection lost, or, in a cluster, no node of
     * the slot reached within the client's attempts (its master died and the layout has not caught up).
     */
    static boolean lostContact(Throwable e) {
        return e instanceof redis.clients.jedis.exceptions.JedisConnectionException
                || e instanceof redis.clients.jedis.exceptions.JedisClusterOperationException;
    }

    /** Whether {@link #down} says this failure itself (lost contact, a refusal, writes not confirmed), so a caller need not. */
    static boolean saysItself(Throwable e) {
        return e instanceof NotReplicatedException || lostContact(e) || refusal(e) != null;
    }

    void up() {
        if (up.compareAndSet(false, true)) {
            reconnects.incrementAndGet();
            LOG.info("Redis at {} is reachable again", where);
        }
        failures.set(0);
    }

    /** Counts a failed call; returns why Redis refused it ({@link #refusal}), null when it did not answer. */
    String down(Exception e) {
        if (e instanceof NotReplicatedException) {
            // Redis answered and kept the write; its replicas did not confirm it in time. Not lost contact (no
            // reconnect follows), and said once a minute, not at every write tried again until they confirm.
            if (unconfirmed.failed(null).any()) LOG.warn("Redis at {}: {}; retrying (said again once a minute while it lasts)", where, e.getMessage());
            failures.incrementAndGet();
            return null;
        }
        var why = refusal(e);
        boolean wasUp = up.compareAndSet(true, false);
        if (why != null) {
            // A server that refuses writes (full, no replicas, a failed disk) still answers reads, which count as
            // contact: each reason is said once a minute, not at every refused write.
            if (refusals.failed(why).any()) {
                if (why.equals(OUT_OF_MEMORY)) LOG.warn("{}; retrying until it has room", RedisMemory.refusal(where));
                else LOG.warn("Redis at {} refuses: {}; retrying", where, why);
            }
        } else if (wasUp) {
            LOG.warn("lost Redis at {} ({}); reconnecting", where, e.getClass().getSimpleName());
        }
        failures.incrementAndGet();
        return why;
    }

    private static final String OUT_OF_MEMORY = "out of memory: its maxmemory was reached";

    /**
     * Why Redis refused a call, said for a person: "out of memory: its maxmemory was reached", or its own error, one
     * line ({@code NOREPLICAS ...}, {@code MISCONF ...}; the error a script met, not the wrapping Redis 6.2 adds);
     * null when it did not answer.
     */
    static String refusal(Throwable e) {
        var m = redisError(e);
        if (m == null) return null;
        if (m.startsWith("OOM ")) return OUT_OF_MEMORY;
        return Text.oneLine(m.length() > 160 ? m.substring(0, 160) + "…" : m);
    }

    /**
     * The error Redis answered in {@code e}, as it said it: for an error a script met, that error, without the
     * wrapping Redis 6.2 adds ({@code ERR Error running script (call to f_...): @user_script:229: -}) or the place
     * Redis 7 appends ({@code  script: <sha>, on @user_script:229.}); null when it did not answer.
     */
    static String redisError(Throwable e) {
        for (var t = e; t != null; t = t.getCause()) {
            if (t instanceof redis.clients.jedis.exceptions.JedisDataException) {
                var m = String.valueOf(t.getMessage());
                int inner = m.lastIndexOf(": -");
                if (m.startsWith("ERR Error running script") && inner >= 0) return m.substring(inner + 3);
                var place = SCRIPT_PLACE.matcher(m);
                return place.find() ? m.substring(0, place.start()) : m;
            }
        }
        return null;
    }

    /** Where Redis 7 says a script met the error: after the error's own text. */
    private static final java.util.regex.Pattern SCRIPT_PLACE = java.util.regex.Pattern.compile(" script: [0-9a-f]{40}, on @user_script:\\d+\\.?$");

    /** One regular command's time from send to answer (a heartbeat, a maintenance read). */
    void roundTrip(long nanos) {
        roundTrips.incrementAndGet();
        roundTripNanos.addAndGet(nanos);
        lastRoundTripNanos = nanos;
    }

    @Override
    public long reconnects() {
        return reconnects.get();
    }

    @Override
    public long roundTrips() {
        return roundTrips.get();
    }

    @Override
    public double roundTripSeconds() {
        return roundTripNanos.get() / 1e9;
    }

    @Override
    public double lastRoundTripSeconds() {
        return lastRoundTripNanos / 1e9;
    }

    boolean isUp() {
        return up.get();
    }

    long backoffMillis() {
        int n = Math.min(failures.get(), 6);
        return Math.min(5_000, 100L << n);
    }
}
