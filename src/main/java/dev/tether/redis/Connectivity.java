package dev.tether.redis;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** Whether Redis answered last time, with an exponential backoff (100 ms to 5 s) while it does not. */
final class Connectivity {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Connectivity.class);
    private final AtomicBoolean up = new AtomicBoolean(true);
    private final AtomicInteger failures = new AtomicInteger();
    private final String where;

    Connectivity(String where) {
        this.where = where;
    }

    void up() {
        if (up.compareAndSet(false, true)) LOG.info("Redis at {} is reachable again", where);
        failures.set(0);
    }

    void down(Exception e) {
        if (up.compareAndSet(true, false)) LOG.warn("lost Redis at {} ({}); reconnecting", where, e.getClass().getSimpleName());
        failures.incrementAndGet();
    }

    boolean isUp() {
        return up.get();
    }

    long backoffMillis() {
        int n = Math.min(failures.get(), 6);
        return Math.min(5_000, 100L << n);
    }
}
