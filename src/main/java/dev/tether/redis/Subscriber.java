package dev.tether.redis;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One channel subscription that stays alive: it reconnects with backoff after any failure, calls
 * {@code onSubscribed} each time it is (re)subscribed (to catch up on what was missed), and checks
 * its own health with a PING every second: a half-open connection that stops answering for 3 s is
 * closed and replaced, instead of showing "connected" for hours.
 */
final class Subscriber implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Subscriber.class);
    static final long PING_EVERY_MILLIS = 1_000;
    static final long SILENT_LIMIT_MILLIS = 3_000;

    private final RedisSettings settings;
    private final String clientName;
    private final String channel;
    private final Connectivity connectivity;
    private final Consumer<String> onMessage;
    private final Runnable onSubscribed;
    private final Thread thread;
    private final ScheduledExecutorService health;
    private volatile JedisPubSub current;
    private volatile Jedis connection;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile boolean subscribed;
    private volatile boolean closed;

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
    }

    Subscriber start() {
        thread.start();
        health.scheduleWithFixedDelay(this::checkHealth, PING_EVERY_MILLIS, PING_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    boolean subscribed() {
        return subscribed;
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
                    connectivity.up();
                    try {
                        onSubscribed.run();
                    } catch (RuntimeException e) {
                        if (!closed) LOG.warn("{}: catching up after subscribing failed: {}", clientName, Text.oneLine(e.getMessage()));
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

    private void checkHealth() {
        var sub = current;
        if (closed || sub == null || !subscribed) return;
        long silentMillis = (System.nanoTime() - lastHeardNanos) / 1_000_000;
        if (silentMillis > SILENT_LIMIT_MILLIS) {
            LOG.warn("{}: no answer on its subscription for {} ms; reconnecting", clientName, silentMillis);
            subscribed = false;
            var c = connection;
            if (c != null) {
                try {
                    c.disconnect(); // the blocked read fails and the loop reconnects
                } catch (RuntimeException ignored) {
                }
            }
            return;
        }
        try {
            sub.ping();
        } catch (RuntimeException e) {
            LOG.debug("{}: ping failed: {}", clientName, e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        health.shutdownNow();
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
