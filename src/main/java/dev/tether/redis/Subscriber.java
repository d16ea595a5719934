package dev.tether.redis;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One channel subscription that stays alive: it reconnects with backoff after any failure, and
 * checks its own health with a PING every second: a half-open connection that stops answering for
 * 3 s is closed and replaced, instead of showing "connected" for hours; one whose SUBSCRIBE is not
 * confirmed within 3 s too (Jedis reads a subscription without a deadline).
 *
 * <p>Each time it is (re)subscribed it calls {@code onSubscribed} to catch up on what was published
 * while it was not listening (nothing is replayed: pub/sub is at-most-once). That catch-up is retried
 * with backoff until it succeeds, on a thread of its own: a catch-up that failed once (a connection
 * killed mid-read) must not leave a view stale until the next reconnect, which may never come. Until
 * it has succeeded the subscription is not {@linkplain #inSync() in sync}.
 */
final class Subscriber implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Subscriber.class);
    static final long PING_EVERY_MILLIS = 1_000;
    static final long SILENT_LIMIT_MILLIS = 3_000;
    static final long CATCH_UP_FIRST_RETRY_MILLIS = 100;
    static final long CATCH_UP_MAX_RETRY_MILLIS = 5_000;

    private final RedisSettings settings;
    private final String clientName;
    private final String channel;
    private final Connectivity connectivity;
    private final Consumer<String> onMessage;
    private final Runnable onSubscribed;
    private final Thread thread;
    private final ScheduledExecutorService health;
    /** Catch-ups and their retries, apart from the health checks (a slow catch-up must not delay a PING). */
    private final java.util.concurrent.ScheduledThreadPoolExecutor catchUps;
    /** Counts subscriptions: a retry of an earlier one's catch-up stops when a newer one has begun. */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
    /** The subscription whose catch-up last succeeded: in sync while it is the current one. */
    private volatile long caughtUpGeneration = -1;
    private volatile JedisPubSub current;
    private volatile Jedis connection;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile boolean subscribed;
    private volatile boolean closed;
    /** What last kept it from subscribing or catching up; null once a catch-up has succeeded. */
    private volatile RuntimeException lastFailure;

    Subscriber(RedisSettings settings, String clientName, String channel, Connectivity connectivity,
               Consumer<String> onMessage, Runnable onSubscribed) {
        this.settings = settings;
        this.clientName = clientName;
        this.channel = channel;
        this.connectivity = connectivity;
        this.onMessage = onMessage;
        this.onSubscribed = onSubscribed;
        this.thread = Thread.ofPlatform().daemon().name(clientName).unstarted(this::loop);
        this.health = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name(clientName + "-health").unstarted(r));
        this.catchUps = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon().name(clientName + "-catch-up").unstarted(r));
    }

    Subscriber start() {
        catchUps.prestartAllCoreThreads(); // its thread exists from the start, not from the first subscription
        thread.start();
        health.scheduleWithFixedDelay(this::checkHealth, PING_EVERY_MILLIS, PING_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    boolean subscribed() {
        return subscribed;
    }

    /** Subscribed, and caught up on what was published before: nothing missed since. */
    boolean inSync() {
        return subscribed && caughtUpGeneration == generation.get();
    }

    /** Whether any catch-up has succeeded yet (a view's first load is its first catch-up). */
    boolean caughtUpOnce() {
        return caughtUpGeneration >= 0;
    }

    /** What last kept it from subscribing or catching up, until a catch-up succeeds; else null. */
    RuntimeException lastFailure() {
        return lastFailure;
    }

    private void loop() {
        while (!closed) {
            var sub = new JedisPubSub() {
                @Override
                public void onMessage(String ch, String message) {
                    lastHeardNanos = System.nanoTime();
                    try {
                        Subscriber.this.onMessage.accept(message);
                    } catch (RuntimeException e) { // one bad message must not end the subscription
                        LOG.warn("{}: ignoring a message it could not handle: {}", clientName, Text.oneLine(e.getMessage()));
                    }
                }

                @Override
                public void onSubscribe(String ch, int count) {
                    lastHeardNanos = System.nanoTime();
                    subscribed = true;
                    lastFailure = null; // what kept it from subscribing is past; its catch-up says its own
                    connectivity.up();
                    long g = generation.incrementAndGet();
                    try {
                        catchUps.execute(() -> catchUp(g, 1));
                    } catch (java.util.concurrent.RejectedExecutionException closing) { // closed meanwhile
                    }
                }

                @Override
                public void onPong(String pattern) {
                    lastHeardNanos = System.nanoTime();
                }
            };
            current = sub;
            try (var jedis = settings.dedicated(clientName)) {
                connection = jedis;
                lastHeardNanos = System.nanoTime();
                if (closed) return;
                jedis.subscribe(sub, channel);
            } catch (RuntimeException e) {
                subscribed = false;
                if (closed) return;
                lastFailure = e;
                connectivity.down(e);
                try {
                    Thread.sleep(connectivity.backoffMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            } finally {
                subscribed = false;
                connection = null;
            }
        }
    }

    /**
     * One attempt at catching up for subscription {@code g}; after a failure the next attempt is
     * scheduled with backoff (100 ms doubling to 5 s), for as long as that subscription lasts.
     */
    private void catchUp(long g, int attempt) {
        if (closed || g != generation.get() || !subscribed) return; // a newer subscription catches up for itself
        try {
            onSubscribed.run();
        } catch (RuntimeException e) {
            if (closed) return;
            lastFailure = e;
            long delay = Math.min(CATCH_UP_MAX_RETRY_MILLIS, CATCH_UP_FIRST_RETRY_MILLIS << Math.min(attempt - 1, 10));
            // A first load that fails at once is its creator's to report (a view that waits for it says why it cannot start).
            if (attempt == (caughtUpOnce() ? 1 : 2)) {
                LOG.warn("{}: catching up after subscribing failed ({}); retrying until it succeeds", clientName, Text.oneLine(e.getMessage()));
            } else {
                LOG.debug("{}: catch-up attempt {} failed: {}", clientName, attempt, Text.oneLine(e.getMessage()));
            }
            try {
                catchUps.schedule(() -> catchUp(g, attempt + 1), delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closing) { // closed meanwhile
            }
            return;
        }
        lastFailure = null;
        caughtUpGeneration = g; // catch-ups run one at a time, in order: an older one never overwrites a newer one
        if (attempt > 1) LOG.info("{}: caught up after {} attempts", clientName, attempt);
    }

    private void checkHealth() {
        var sub = current;
        if (closed || sub == null) return;
        long silentMillis = (System.nanoTime() - lastHeardNanos) / 1_000_000;
        if (!subscribed) {
            // Connected but not confirmed: Jedis waits for the confirmation without a deadline; give it one.
            var c = connection;
            if (c != null && silentMillis > SILENT_LIMIT_MILLIS) {
                LOG.warn("{}: subscribing got no answer for {} ms; reconnecting", clientName, silentMillis);
                disconnect(c);
            }
            return;
        }
        if (silentMillis > SILENT_LIMIT_MILLIS) {
            LOG.warn("{}: no answer on its subscription for {} ms; reconnecting", clientName, silentMillis);
            subscribed = false;
            var c = connection;
            if (c != null) disconnect(c); // the blocked read fails and the loop reconnects
            return;
        }
        try {
            sub.ping();
        } catch (RuntimeException e) {
            LOG.debug("{}: ping failed: {}", clientName, e.getMessage());
        }
    }

    private static void disconnect(Jedis c) {
        try {
            c.disconnect();
        } catch (RuntimeException ignored) {
        }
    }

    @Override
    public void close() {
        closed = true;
        health.shutdownNow();
        catchUps.shutdownNow();
        var sub = current;
        if (sub != null && subscribed) {
            try {
                sub.unsubscribe();
            } catch (RuntimeException ignored) {
            }
        }
        var c = connection;
        if (c != null) {
            try {
                c.disconnect();
            } catch (RuntimeException ignored) {
            }
        }
        thread.interrupt();
    }
}
