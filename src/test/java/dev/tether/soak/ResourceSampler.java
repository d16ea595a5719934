package dev.tether.soak;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Samples, every few seconds while the soak runs, what would grow if something leaked: threads and
 * open files of every JVM involved (this one, {@code serve}, workers), the processes the soak
 * started (children of children included, orphans too, by their mark) and zombies, Redis's keys
 * (those without an expiry apart) and its connections; and now and then each JVM's heap right after
 * a full GC (its live data, not its garbage). {@link Growth} judges the series.
 */
final class ResourceSampler implements AutoCloseable {
    /** One reading. {@code series} names what was measured in which process ("serve 1234 threads"); {@code metric} its kind. */
    record Sample(long atMillis, String series, String metric, long value) {}

    /** Something to measure; {@code withHeap} is true on the rounds that also take the heap. */
    interface Probe {
        void sample(List<Sample> out, boolean withHeap);
    }

    private final List<Probe> probes = new ArrayList<>();
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean closed;

    ResourceSampler() {
        thread = Thread.ofPlatform().daemon().name("soak-sampler").unstarted(this::loop);
    }

    ResourceSampler with(Probe probe) {
        probes.add(probe);
        return this;
    }

    ResourceSampler start() {
        thread.start();
        return this;
    }

    private void loop() {
        long every = SoakConfig.SAMPLE_EVERY.toMillis();
        long heapEvery = SoakConfig.HEAP_EVERY.toMillis();
        long lastHeap = 0;
        while (!closed) {
            long now = System.currentTimeMillis();
            boolean heap = now - lastHeap >= heapEvery;
            if (heap) lastHeap = now;
            sampleNow(heap);
            try {
                Thread.sleep(every);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One round now, on the caller's thread (the soak takes one at its start and one at its end). */
    List<Sample> sampleNow(boolean withHeap) {
        var round = new ArrayList<Sample>();
        for (var p : probes) {
            try {
                p.sample(round, withHeap);
            } catch (RuntimeException e) {
                // a process gone between listing and reading it: no sample this round
            }
        }
        samples.addAll(round);
        return round;
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.interrupt();
        thread.join(Duration.ofSeconds(30));
    }

    // ---- probes ----

    /** Threads, open files and (on heap rounds) live heap of each JVM {@code pids} lists now. */
    static Probe jvms(String role, Supplier<List<Long>> pids) {
        return (out, withHeap) -> {
            long now = System.currentTimeMillis();
            for (long pid : pids.get()) {
                int threads = ProcFs.threads(pid);
                int fds = ProcFs.fds(pid);
                if (threads > 0) out.add(new Sample(now, role + " " + pid + " threads", "threads", threads));
                if (fds > 0) out.add(new Sample(now, role + " " + pid + " fds", "fds", fds));
                if (withHeap) {
                    long kib = liveHeapKib(pid);
                    if (kib > 0) out.add(new Sample(now, role + " " + pid + " heap KiB", "heap", kib));
                }
            }
        };
    }

    /** This JVM: its threads, open files, and live heap after {@code System.gc()}. */
    static Probe self() {
        long pid = ProcessHandle.current().pid();
        return (out, withHeap) -> {
            long now = System.currentTimeMillis();
            out.add(new Sample(now, "test-jvm threads", "threads", ManagementFactory.getThreadMXBean().getThreadCount()));
            out.add(new Sample(now, "test-jvm fds", "fds", ProcFs.fds(pid)));
            if (withHeap) {
                System.gc();
                out.add(new Sample(now, "test-jvm heap KiB", "heap", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 10));
            }
        };
    }

    /** Live processes carrying the soak's mark (children, orphans and all), and zombies left under the soak's processes. */
    static Probe processes(String mark) {
        return (out, withHeap) -> {
            long now = System.currentTimeMillis();
            var live = ProcFs.marked(mark);
            var parents = new ArrayList<>(live);
            parents.add(ProcessHandle.current().pid());
            out.add(new Sample(now, "processes", "processes", live.size()));
            out.add(new Sample(now, "zombies", "zombies", ProcFs.zombiesUnder(parents)));
        };
    }

    /** Redis: keys, keys without an expiry (what nothing would ever clean), connections, memory. */
    static Probe redis(SoakRedis redis) {
        return (out, withHeap) -> {
            if (!redis.alive()) return;
            long now = System.currentTimeMillis();
            try (var admin = redis.admin()) {
                var keyspace = info(admin, "keyspace");
                var m = Pattern.compile("keys=(\\d+),expires=(\\d+)").matcher(keyspace);
                long keys = 0;
                long expires = 0;
                if (m.find()) {
                    keys = Long.parseLong(m.group(1));
                    expires = Long.parseLong(m.group(2));
                }
                out.add(new Sample(now, "redis keys", "redis-keys", keys));
                out.add(new Sample(now, "redis keys without expiry", "redis-persistent-keys", keys - expires));
                var clients = Pattern.compile("connected_clients:(\\d+)").matcher(info(admin, "clients"));
                if (clients.find()) out.add(new Sample(now, "redis clients", "redis-clients", Long.parseLong(clients.group(1))));
                var memory = Pattern.compile("used_memory:(\\d+)").matcher(info(admin, "memory"));
                if (memory.find()) out.add(new Sample(now, "redis memory KiB", "redis-memory", Long.parseLong(memory.group(1)) >> 10));
            }
        };
    }

    private static String info(redis.clients.jedis.RedisClient admin, String section) {
        return admin.info(section);
    }

    private static final Pattern LIVE_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

    /**
     * A JVM's live heap in KiB, or -1: the bytes of the objects {@code jcmd PID GC.class_histogram}
     * counts after the full GC it starts. Not the heap's "used" after {@code GC.run}: that also counts
     * the eden the JVM's threads took again before the reading (whole TLABs: 2 MiB in one idle worker
     * here), so two idle workers read 24–38 MiB at the start of soaks that changed nothing between
     * them, and one soak under a CPU hog failed on noise. The histogram's readings of the same workers
     * stay within 1 MiB from start to end.
     */
    static long liveHeapKib(long pid) {
        try {
            var jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            var p = new ProcessBuilder(jcmd, Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
            var text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            var m = LIVE_TOTAL.matcher(text);
            return m.find() ? Long.parseLong(m.group(1)) >> 10 : -1;
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
