package dev.tether.redis;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** What is published on one channel of a real redis-server, heard as another subscriber would hear it. */
final class Published extends JedisPubSub implements AutoCloseable {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final CountDownLatch subscribed = new CountDownLatch(1);
    private Thread thread;

    private Published() {
    }

    /** Returns once the subscription is in place: whatever is published from then on is heard. */
    static Published on(RealRedis redis, String channel) throws InterruptedException {
        var p = new Published();
        p.thread = Thread.ofPlatform().daemon().start(() -> {
            try (var j = new Jedis("127.0.0.1", redis.port)) {
                j.subscribe(p, channel);
            }
        });
        p.subscribed.await();
        return p;
    }

    /** The next message, or a failure when none comes within the in-process bound. */
    String next() throws InterruptedException {
        var m = messages.poll(dev.tether.testing.Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS);
        if (m == null) throw new AssertionError("nothing was published");
        return m;
    }

    @Override
    public void onSubscribe(String channel, int count) {
        subscribed.countDown();
    }

    @Override
    public void onMessage(String channel, String message) {
        messages.add(message);
    }

    @Override
    public void close() throws InterruptedException {
        unsubscribe();
        thread.join(10_000);
    }
}
