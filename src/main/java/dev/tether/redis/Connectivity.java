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

    void up() {
        if (up.compareAndSet(false, true)) {
            reconnects.incrementAndGet();
            LOG.info("Redis at {} is reachable again", where);
        }
        failures.set(0);
    }

    void down(Exception e) {
        if (up.compareAndSet(true, false)) LOG.warn("lost Redis at {} ({}); reconnecting", where, e.getClass().getSimpleName());
        failures.incrementAndGet();
    }

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
