package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.HdrHistogram.Histogram;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Distributed mode on loopback, one run: Redis's own round trips (PING, publish to a subscriber),
 * cross-process cancel latency (cancel request to CANCELLED seen by the client; run in a worker
 * process), and throughput of short runs with two worker processes.
 *
 * <pre>mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.redis.RedisBench [-Dbench.args="CANCELS RUNS [tls]"]</pre>
 * With {@code tls}, every connection (workers, client, the raw round trips) goes over rediss:// to a
 * redis-server serving TLS with a certificate from a private CA.
 */
public final class RedisBench {
    public static void main(String[] args) throws Exception {
        int cancels = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        boolean tls = args.length > 2 && args[2].equals("tls");
        var certs = tls ? TestCertificates.create(java.nio.file.Files.createTempDirectory("tether-bench-tls"), "bench-ca", "ip:127.0.0.1") : null;
        try (var server = tls ? RealRedis.startTls(certs) : RealRedis.start()) {
            var uri = tls ? server.tlsUri("127.0.0.1") : server.uri();
            var settings = tls ? RedisSettings.parse(uri).trustingCa(certs.caPem()) : RedisSettings.parse(uri);
            Map<String, String> env = tls ? Map.of(TlsTrust.ENV, certs.caPem().toString()) : Map.of();
            System.out.println("Redis at " + settings.display());
            run(settings, env, cancels, runs);
        }
        System.exit(0);
    }

    private static void run(RedisSettings settings, Map<String, String> env, int cancels, int runs) throws Exception {
        var uri = settings.display();
        try (var w1 = WorkerProcess.start(env, uri, "bench-1", "bench-cancel,bench-fast", 8);
             var w2 = WorkerProcess.start(env, uri, "bench-2", "bench-fast", 8);
             var client = RedisView.live(settings, GraphCatalog.load(null), Routing.none());
             var raw = settings.client("bench-raw", 2)) {
            var ping = new Histogram(3);
            for (int i = 0; i < 20_000; i++) {
                long t = System.nanoTime();
                raw.ping();
                if (i >= 2_000) ping.recordValue(System.nanoTime() - t);
            }
            var publish = publishRoundTrip(settings, raw, 2_000);
            System.out.printf("redis PING round trip:           p50 %.3f ms  p99 %.3f ms%n", ms(ping, 50), ms(ping, 99));
            System.out.printf("redis publish -> subscriber:     p50 %.3f ms  p99 %.3f ms%n", ms(publish, 50), ms(publish, 99));

            var latency = new Histogram(3);
            for (int i = 0; i < cancels + 50; i++) {
                var id = client.submit("book-workflow", "bench-cancel", Map.of("nodeMillis", 60_000, "jitter", 0)).runId();
                waitFor(client, id, RunStatus.RUNNING);
                long t = System.nanoTime();
                client.cancel(id);
                waitFor(client, id, RunStatus.CANCELLED);
                if (i >= 50) latency.recordValue(System.nanoTime() - t);
            }
            System.out.printf("cancel -> CANCELLED (other process, %d): p50 %.3f ms  p99 %.3f ms  max %.3f ms%n", cancels,
                    ms(latency, 50), ms(latency, 99), latency.getMaxValue() / 1e6);

            var done = new AtomicLong();
            var feed = client.registry().openFeed();
            long t0 = System.nanoTime();
            var submitters = new ArrayList<Thread>();
            for (int s = 0; s < 4; s++) {
                int share = runs / 4;
                submitters.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < share; i++) client.submit("welcome-email", "bench-fast", Map.of("nodeMillis", 0, "jitter", 0));
                }));
            }
            for (var t : submitters) t.join();
            double submitSeconds = (System.nanoTime() - t0) / 1e9;
            while (done.get() < runs) {
                feed.await(Duration.ofMillis(50));
                for (var r : feed.drain()) if (r.status() == RunStatus.COMPLETED && r.queue().equals("bench-fast")) done.incrementAndGet();
                if ((System.nanoTime() - t0) / 1e9 > 300) break;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("throughput, 2 workers x 8 slots: %,d short runs submitted in %.1f s, all COMPLETED after %.1f s: %,.0f runs/s%n",
                    runs, submitSeconds, seconds, done.get() / seconds);
            feed.close();
        }
    }

    private static void waitFor(RedisView client, String id, RunStatus status) throws InterruptedException {
        try (var feed = client.registry().openFeed()) {
            while (client.registry().get(id).map(RunSnapshot::status).orElse(null) != status) feed.await(Duration.ofMillis(5));
        }
    }

    private static Histogram publishRoundTrip(RedisSettings settings, RedisClient raw, int n) throws Exception {
        var h = new Histogram(3);
        var sent = new AtomicLong();
        var latch = new CountDownLatch[] {new CountDownLatch(1)};
        var ready = new CountDownLatch(1);
        var sub = new JedisPubSub() {
            @Override
            public void onMessage(String channel, String message) {
                h.recordValue(System.nanoTime() - sent.get());
                latch[0].countDown();
            }

            @Override
            public void onSubscribe(String channel, int count) {
                ready.countDown();
            }
        };
        var subscriber = settings.dedicated("bench-subscriber");
        var t = Thread.ofPlatform().start(() -> subscriber.subscribe(sub, "bench-rt"));
        ready.await();
        for (int i = 0; i < n; i++) {
            latch[0] = new CountDownLatch(1);
            sent.set(System.nanoTime());
            raw.publish("bench-rt", "x");
            latch[0].await();
        }
        sub.unsubscribe();
        t.join();
        subscriber.close();
        return h;
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e6;
    }
}
