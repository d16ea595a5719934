package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.HdrHistogram.Histogram;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Distributed mode on loopback, one run: Redis's own round trips (PING, publish to a subscriber),
 * cross-process cancel latency (cancel request to CANCELLED seen by the client; run in a worker
 * process; the first 1,000 after the start counted apart) with where its time goes (the answer, the publish, the worker's events, the view), and
 * throughput of short runs with two worker processes, with what each run cost (Redis commands, Redis's
 * CPU, the workers' CPU, this process's own: its submitters and its live view share the machine); then
 * redis-benchmark against the same server, for the machine's speed at that moment.
 *
 * <pre>mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.redis.RedisBench [-Dbench.args="CANCELS RUNS [tls|sentinel|cluster|cluster-replicas]"]</pre>
 * With {@code tls}, every connection (workers, client, the raw round trips) goes over rediss:// to a
 * redis-server serving TLS with a certificate from a private CA. With {@code sentinel}, everything goes
 * through three sentinels to a master with two replicas (submits and claims wait for both). With
 * {@code cluster}, through a cluster of three masters and three replicas (the prefix's keys on one); {@code cluster-replicas}, the same with {@code ?replicas=1}.
 */
public final class RedisBench {
    public static void main(String[] args) throws Exception {
        int cancels = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        boolean tls = args.length > 2 && args[2].equals("tls");
        if (args.length > 2 && args[2].equals("sentinel")) {
            try (var sentinels = RealSentinels.start()) {
                var settings = RedisSettings.parse(sentinels.uri());
                System.out.println("Redis behind Sentinel at " + settings.display() + " (a master, two replicas; writes others rely on wait for both)");
                run(settings, Map.of(), cancels, runs);
            }
            System.exit(0);
        }
        if (args.length > 2 && args[2].startsWith("cluster")) { // cluster-replicas: writes others rely on wait for the replica
            boolean replicas = args[2].equals("cluster-replicas");
            try (var cluster = RealCluster.start()) {
                var settings = RedisSettings.parse(cluster.uri("bench") + (replicas ? "&replicas=1" : ""));
                System.out.println("Redis Cluster at " + settings.display() + " (three masters, three replicas; the prefix's slot "
                        + settings.keys().slot() + " on one master" + (replicas ? "; writes wait for its replica)" : ")"));
                run(settings, Map.of(), cancels, runs);
            }
            System.exit(0);
        }
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
        // -Dbench.workerJvm="..." adds JVM options to the two workers (a GC log, a flight recording, another JIT)
        var jvm = System.getProperty("bench.workerJvm", "").isBlank() ? List.<String>of() : List.of(System.getProperty("bench.workerJvm").trim().split("\\s+"));
        try (var w1 = WorkerProcess.start(jvm, env, uri, "bench-1", "bench-cancel,bench-fast", 8);
             var w2 = WorkerProcess.start(jvm, env, uri, "bench-2", "bench-fast", 8);
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

            try (var path = CancelPath.watch(settings)) {
                // The JVMs compile the cancel path during the first seconds of cancels (slow cancels cluster there); the
                // series below measure a warm path, and this one says what the first cancels after a start cost.
                var warm = cancelLatency(client, WARM_UP, 0, path);
                System.out.printf("cancel warm-up (the first %d after the workers started, counted apart): p50 %.3f ms  p99 %.3f ms  max %.3f ms%n",
                        WARM_UP, ms(warm, 50), ms(warm, 99), warm.getMaxValue() / 1e6);
                path.clear();
                var latency = cancelLatency(client, cancels, 0, path);
                System.out.printf("cancel -> CANCELLED (other process, %d): p50 %.3f ms  p99 %.3f ms  max %.3f ms%n", cancels,
                        ms(latency, 50), ms(latency, 99), latency.getMaxValue() / 1e6);
                path.print();
                var floor = new Histogram(3);
                var settled = cancelLatency(client, cancels, 20, path, floor);
                System.out.printf("  the same, 20 ms after RUNNING:      p50 %.3f ms  p99 %.3f ms  max %.3f ms%n",
                        ms(settled, 50), ms(settled, 99), settled.getMaxValue() / 1e6);
                path.print();
                System.out.printf("  the machine between those cancels: 6 wake-ups in a row (threads of this process) after the same 20 ms of quiet: "
                        + "p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms%n", ms(floor, 50), ms(floor, 90), ms(floor, 99), floor.getMaxValue() / 1e6);
            }

            var feed = client.registry().openFeed();
            var before = Costs.read(raw, settings, w1, w2);
            long t0 = System.nanoTime();
            double submitSeconds = submitAll(client, runs);
            long done = awaitCompleted(feed, runs, t0);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("throughput, 2 workers x 8 slots: %,d short runs submitted in %.1f s, all COMPLETED after %.1f s: %,.0f runs/s%n",
                    runs, submitSeconds, seconds, done / seconds);
            double redisPerRun = Costs.read(raw, settings, w1, w2).minus(before).print(runs);
            System.out.printf("workers' RSS after the runs: %d MB, %d MB%n", MirrorScaleBench.statusKb(w1.process.pid(), "VmRSS") / 1024,
                    MirrorScaleBench.statusKb(w2.process.pid(), "VmRSS") / 1024);
            // what the events channel carries, counted by a subscriber of its own over more runs after the timed ones: during
            // them it took about 5 % of the throughput (every event read once more, and written once more by Redis)
            int tallied = Math.max(1, Math.min(runs, 2_000));
            try (var events = EventTally.listen(settings)) {
                submitAll(client, tallied);
                awaitCompleted(feed, tallied, System.nanoTime());
                events.print(tallied);
            }
            double drainRedisPerRun = drain(settings, env, jvm, client, raw, feed, runs);
            feed.close();
            double setMicros = redisBenchmark(settings, raw);
            if (setMicros > 0) {
                // issue 20's unit: a short run's Redis cost in the simplest command's, on this machine, now
                System.out.printf("Redis CPU per run in redis-benchmark SETs (%.1f µs each): throughput %.1f, drain %.1f%n", setMicros,
                        redisPerRun * 1000 / setMicros, drainRedisPerRun * 1000 / setMicros);
            }
        }
    }

    /**
     * The workers alone, without submitters beside them: {@code runs} short runs parked on a queue no worker
     * serves, then two fresh workers of 8 slots take them. Timed, and costed, from the moment both are up
     * (the runs the first finished while the second started are left out).
     */
    private static double drain(RedisSettings settings, Map<String, String> env, List<String> jvm, RedisView client, UnifiedJedis raw,
                              dev.tether.registry.ChangeFeed feed, int runs) throws Exception {
        var beforeParking = Costs.read(raw, settings);
        double parkSeconds = submitAll(client, runs, DRAIN);
        var parking = Costs.read(raw, settings).minus(beforeParking);
        feed.drain();
        try (var w3 = WorkerProcess.start(jvm, env, settings.display(), "bench-3", DRAIN, 8);
             var w4 = WorkerProcess.start(jvm, env, settings.display(), "bench-4", DRAIN, 8)) {
            long early = 0;
            for (var r : feed.drain()) if (r.status() == RunStatus.COMPLETED && r.queue().equals(DRAIN)) early++;
            var before = Costs.read(raw, settings, w3, w4);
            long t0 = System.nanoTime();
            long done = awaitCompleted(feed, (int) (runs - early), t0, DRAIN);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("drain, 2 fresh workers x 8 slots: %,d short runs parked (in %.1f s), %,d of them COMPLETED after both were up, in %.1f s: %,.0f runs/s%n",
                    runs, parkSeconds, done, seconds, done / seconds);
            // a submit's own cost, with no worker beside it: the client's CPU (its mirror hears each QUEUED run too) and Redis's
            System.out.printf("  parking, per submit: this bench's CPU %.3f ms, Redis CPU %.3f ms%n", parking.benchCpu() * 1000 / runs,
                    parking.redisCpu() * 1000 / runs);
            return Costs.read(raw, settings, w3, w4).minus(before).print((int) Math.max(1, done));
        }
    }

    private static final String DRAIN = "bench-drain";

    /** Cancels sent before the measured ones, while the processes' JIT compiles their path. */
    private static final int WARM_UP = 1_000;

    private static double submitAll(RedisView client, int runs) throws InterruptedException {
        return submitAll(client, runs, "bench-fast");
    }

    /** Submits {@code runs} short runs to {@code queue} from 4 threads; returns the seconds it took. */
    private static double submitAll(RedisView client, int runs, String queue) throws InterruptedException {
        long t0 = System.nanoTime();
        var submitters = new ArrayList<Thread>();
        for (int s = 0; s < 4; s++) {
            int share = runs / 4 + (s < runs % 4 ? 1 : 0);
            submitters.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < share; i++) client.submit("welcome-email", queue, Map.of("nodeMillis", 0, "jitter", 0));
            }));
        }
        for (var t : submitters) t.join();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static long awaitCompleted(dev.tether.registry.ChangeFeed feed, int runs, long t0) throws InterruptedException {
        return awaitCompleted(feed, runs, t0, "bench-fast");
    }

    /** Waits until {@code runs} runs of {@code queue} completed (at most 300 s from {@code t0}); returns how many did. */
    private static long awaitCompleted(dev.tether.registry.ChangeFeed feed, int runs, long t0, String queue) throws InterruptedException {
        long done = 0;
        while (done < runs && (System.nanoTime() - t0) / 1e9 <= 300) {
            feed.await(Duration.ofMillis(50));
            for (var r : feed.drain()) if (r.status() == RunStatus.COMPLETED && r.queue().equals(queue)) done++;
        }
        return done;
    }

    /** What the events channel carried: messages, bytes, and how many were changes rather than whole runs. */
    private static final class EventTally extends redis.clients.jedis.JedisPubSub implements AutoCloseable {
        private final AtomicLong messages = new AtomicLong(), bytes = new AtomicLong(), changes = new AtomicLong(), changeBytes = new AtomicLong();
        private final java.util.concurrent.CountDownLatch subscribed = new java.util.concurrent.CountDownLatch(1);
        private Thread thread;

        static EventTally listen(RedisSettings settings) throws InterruptedException {
            var t = new EventTally();
            var client = settings.client("bench-events", 1);
            t.thread = Thread.ofPlatform().daemon().start(() -> {
                try (client) {
                    client.subscribe(t, settings.keys().events());
                }
            });
            t.subscribed.await();
            return t;
        }

        @Override public void onSubscribe(String channel, int count) { subscribed.countDown(); }

        @Override public void onMessage(String channel, String message) {
            int n = message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            messages.incrementAndGet();
            bytes.addAndGet(n);
            if (RunChange.isChange(message)) {
                changes.incrementAndGet();
                changeBytes.addAndGet(n);
            }
        }

        @Override public void close() throws InterruptedException {
            unsubscribe();
            thread.join(5_000);
        }

        void print(int runs) {
            long whole = messages.get() - changes.get();
            System.out.printf("  events per run (%,d more runs, untimed): %.2f (%.2f changes of %.0f bytes, %.2f whole runs of %.0f bytes): %.0f bytes per run%n",
                    runs, (double) messages.get() / runs, (double) changes.get() / runs, changes.get() == 0 ? 0.0 : (double) changeBytes.get() / changes.get(),
                    (double) whole / runs, whole == 0 ? 0.0 : (double) (bytes.get() - changeBytes.get()) / whole, (double) bytes.get() / runs);
        }
    }

    /**
     * What the throughput phase cost, per run: Redis commands as the server counts them (a script's own
     * calls included, as {@code INFO commandstats} does), Redis's CPU, and each worker's CPU.
     */
    private record Costs(Map<String, Long> calls, double redisCpu, double[] workerCpu, double benchCpu) {
        /** Of the server holding the prefix's keys (in a cluster, the master of its slot). */
        static Costs read(UnifiedJedis raw, RedisSettings settings, WorkerProcess... workers) throws Exception {
            var calls = new java.util.TreeMap<String, Long>();
            var home = settings.keys().config();
            var m = java.util.regex.Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+)").matcher(HomeNode.info(raw, home, "commandstats"));
            while (m.find()) calls.put(m.group(1), Long.parseLong(m.group(2)));
            double redis = redisCpu(raw, settings);
            var w = new double[workers.length];
            for (int i = 0; i < workers.length; i++) w[i] = cpuSeconds(workers[i].process.pid());
            return new Costs(calls, redis, w, cpuSeconds(ProcessHandle.current().pid()));
        }

        /** Redis's CPU seconds so far, as it counts them (user and system). */
        static double redisCpu(UnifiedJedis raw, RedisSettings settings) {
            var cpu = HomeNode.info(raw, settings.keys().config(), "cpu");
            return field(cpu, "used_cpu_sys") + field(cpu, "used_cpu_user");
        }

        Costs minus(Costs earlier) {
            var d = new java.util.TreeMap<String, Long>();
            calls.forEach((k, v) -> d.put(k, v - earlier.calls.getOrDefault(k, 0L)));
            var w = new double[workerCpu.length];
            for (int i = 0; i < w.length; i++) w[i] = workerCpu[i] - earlier.workerCpu[i];
            return new Costs(d, redisCpu - earlier.redisCpu, w, benchCpu - earlier.benchCpu);
        }

        /** Prints the costs per run; returns Redis's CPU per run, in ms. */
        double print(int runs) {
            long total = calls.values().stream().mapToLong(Long::longValue).sum();
            long scripts = calls.getOrDefault("evalsha", 0L) + calls.getOrDefault("eval", 0L);
            System.out.printf("per run: %.1f Redis commands (%.1f of them scripts run by clients), Redis CPU %.3f ms, workers' CPU %.3f ms%n",
                    (double) total / runs, (double) scripts / runs, redisCpu * 1000 / runs,
                    java.util.Arrays.stream(workerCpu).sum() * 1000 / runs);
            // the submitters and the live mirror that sees the runs complete share the machine too
            System.out.printf("  this bench's own process (4 submitters, a live mirror): CPU %.3f ms per run%n", benchCpu * 1000 / runs);
            var top = calls.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(24).map(e -> String.format("%s %.2f", e.getKey(), (double) e.getValue() / runs)).toList();
            System.out.println("  commands per run: " + String.join(", ", top));
            return redisCpu * 1000 / runs;
        }

        private static double field(String info, String name) {
            var m = java.util.regex.Pattern.compile(name + ":([0-9.]+)").matcher(info);
            return m.find() ? Double.parseDouble(m.group(1)) : 0;
        }

        /** utime + stime of a process, from /proc (clock ticks of 10 ms on Linux). */
        private static double cpuSeconds(long pid) throws java.io.IOException {
            var stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            var f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        }
    }

    /**
     * Redis's own speed on this machine, now: redis-benchmark against the same server, if it is installed.
     * Returns Redis's CPU per SET in µs (its own count, over a SET-only run), 0 when not run.
     */
    private static double redisBenchmark(RedisSettings settings, UnifiedJedis raw) {
        var bin = java.nio.file.Path.of("/usr/bin/redis-benchmark");
        if (settings.tls() || !java.nio.file.Files.isExecutable(bin)) {
            System.out.println("redis-benchmark: not run (install redis-tools; plain connections only)");
            return 0;
        }
        try {
            // behind Sentinel: the master of the moment; in a cluster, the master of the prefix's slot
            redis.clients.jedis.HostAndPort at;
            if (raw instanceof redis.clients.jedis.RedisClusterClient cluster) {
                try (var c = cluster.getConnectionFromSlot(settings.keys().slot())) {
                    at = c.getHostAndPort();
                }
            } else {
                at = settings.master();
            }
            var p = new ProcessBuilder(bin.toString(), "-h", at.getHost(), "-p", Integer.toString(at.getPort()), "-q",
                    "-t", "ping,set,get", "-n", "100000").redirectErrorStream(true).start();
            var out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            for (var line : out.split("[\r\n]+")) {
                var l = line.strip();
                if (l.contains("requests per second")) System.out.println("redis-benchmark: " + l);
            }
            int sets = 200_000;
            double before = Costs.redisCpu(raw, settings);
            var s = new ProcessBuilder(bin.toString(), "-h", at.getHost(), "-p", Integer.toString(at.getPort()), "-q",
                    "-t", "set", "-n", Integer.toString(sets)).redirectErrorStream(true).start();
            s.getInputStream().readAllBytes();
            s.waitFor();
            double micros = (Costs.redisCpu(raw, settings) - before) * 1e6 / sets;
            System.out.printf("redis-benchmark: Redis CPU per SET %.1f µs (%,d SETs)%n", micros, sets);
            return micros;
        } catch (Exception e) {
            System.out.println("redis-benchmark: failed (" + e.getMessage() + ")");
            return 0;
        }
    }

    /**
     * Cancel of a running run, request to CANCELLED seen by the client, after 50 unrecorded warm-ups. With
     * {@code settleMillis} 0 the cancel is sent as soon as the client sees the run RUNNING (the claim's
     * write), while the worker is still starting it; else that long after, with the run asleep in its node.
     */
    private static Histogram cancelLatency(RedisView client, int cancels, long settleMillis, CancelPath path) throws InterruptedException {
        return cancelLatency(client, cancels, settleMillis, path, null);
    }

    /**
     * As above; with {@code floor}, each cancel is followed by the same quiet and a round trip of a chain of six
     * wake-ups in this process ({@link dev.tether.bench.WakeChainBench}), recorded there: the machine's floor, in the same minutes.
     */
    private static Histogram cancelLatency(RedisView client, int cancels, long settleMillis, CancelPath path, Histogram floor)
            throws InterruptedException {
        var latency = new Histogram(3);
        try (dev.tether.bench.WakeChainBench.Chain chain = floor == null ? null : new dev.tether.bench.WakeChainBench.Chain(6)) {
            for (int i = 0; i < cancels + 50; i++) {
                cancelOnce(client, settleMillis, path, latency, i >= 50);
                if (chain != null) {
                    Thread.sleep(settleMillis);
                    long nanos = chain.roundTrip();
                    if (i >= 50) floor.recordValue(nanos);
                }
            }
        }
        return latency;
    }

    private static void cancelOnce(RedisView client, long settleMillis, CancelPath path, Histogram latency, boolean counted)
            throws InterruptedException {
        var id = client.submit("book-workflow", "bench-cancel", Map.of("nodeMillis", 60_000, "jitter", 0)).runId();
        waitFor(client, id, RunStatus.RUNNING);
        if (settleMillis > 0) Thread.sleep(settleMillis);
        long t = System.nanoTime();
        path.sent(id, t);
        client.cancel(id);
        long answered = System.nanoTime();
        waitFor(client, id, RunStatus.CANCELLED);
        long shown = System.nanoTime();
        if (counted) {
            latency.recordValue(shown - t);
            path.record(answered, shown);
        }
    }

    /**
     * Where a cancel's time goes, as this process sees it: the request's answer, its publish reaching a
     * subscriber here (about when it reaches the worker), the worker's CANCELLING and CANCELLED events, and
     * the view showing CANCELLED; each counted from the request. Printed, then cleared, after each series.
     */
    private static final class CancelPath extends JedisPubSub implements AutoCloseable {
        private static final String[] STAGES = {"answered", "publish heard", "CANCELLING event", "CANCELLED event", "view shows CANCELLED"};
        private final Histogram[] stages = new Histogram[STAGES.length];
        private final CountDownLatch subscribed = new CountDownLatch(2);
        private final String cancelsChannel;
        private volatile String runId;
        private volatile long sentNanos, publishedNanos, cancellingNanos, cancelledNanos;

        private CancelPath(String cancelsChannel) {
            this.cancelsChannel = cancelsChannel;
            for (int i = 0; i < stages.length; i++) stages[i] = new Histogram(3);
        }

        static CancelPath watch(RedisSettings settings) throws InterruptedException {
            var path = new CancelPath(settings.keys().cancels());
            var connection = settings.dedicated("bench-cancel-path");
            Thread.ofPlatform().daemon().start(() -> {
                try (connection) {
                    connection.subscribe(path, settings.keys().cancels(), settings.keys().events());
                } catch (RuntimeException closed) {
                }
            });
            path.subscribed.await();
            return path;
        }

        @Override
        public void onSubscribe(String channel, int count) {
            subscribed.countDown();
        }

        void sent(String id, long nanos) {
            publishedNanos = cancellingNanos = cancelledNanos = 0;
            sentNanos = nanos;
            runId = id;
        }

        @Override
        public void onMessage(String channel, String message) {
            long now = System.nanoTime();
            var id = runId;
            if (id == null || !message.contains(id)) return;
            if (channel.equals(cancelsChannel)) {
                if (publishedNanos == 0) publishedNanos = now;
            } else if (message.contains("\"CANCELLED\"")) {
                if (cancelledNanos == 0) cancelledNanos = now;
            } else if (message.contains("\"CANCELLING\"") && cancellingNanos == 0) {
                cancellingNanos = now;
            }
        }

        /** One cancel's stages; a stage not seen (a CANCELLING the run's end superseded) is not counted. */
        void record(long answeredNanos, long shownNanos) {
            long[] at = {answeredNanos, publishedNanos, cancellingNanos, cancelledNanos, shownNanos};
            for (int i = 0; i < at.length; i++) if (at[i] > sentNanos) stages[i].recordValue(at[i] - sentNanos);
        }

        void print() {
            for (int i = 0; i < stages.length; i++) {
                System.out.printf("    %-22s p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  (%d)%n", STAGES[i], ms(stages[i], 50), ms(stages[i], 90),
                        ms(stages[i], 99), stages[i].getTotalCount());
            }
            clear();
        }

        void clear() {
            for (var h : stages) h.reset();
        }

        @Override
        public void close() {
            unsubscribe();
        }
    }

    private static void waitFor(RedisView client, String id, RunStatus status) throws InterruptedException {
        try (var feed = client.registry().openFeed()) {
            if (client.registry().get(id).map(RunSnapshot::status).orElse(null) == status) return;
            // The state is read from what the feed drains (offered a moment before the registry shows it), and
            // drained each time: an undrained change (CANCELLING on the way to CANCELLED) made this wait a spin.
            while (true) {
                feed.await(Duration.ofMillis(5));
                for (var r : feed.drain()) if (r.runId().equals(id) && r.status() == status) return;
                if (client.registry().get(id).map(RunSnapshot::status).orElse(null) == status) return;
            }
        }
    }

    private static Histogram publishRoundTrip(RedisSettings settings, UnifiedJedis raw, int n) throws Exception {
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
