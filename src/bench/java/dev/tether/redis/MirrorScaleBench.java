package dev.tether.redis;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a live view costs over many runs in Redis: {@code tether serve --redis} (or {@code tether
 * console --redis}, under a display) through the real launcher, with RUNS runs queued on a queue no
 * worker takes. It reports the time from launch to ready (serve's "tether serving" line; the console's
 * first-paint marker), until when it is busy loading (its first second under 10 % of a core), the
 * process's RSS and the heap its objects hold after a full collection, and its CPU while nothing
 * changes, over IDLE_S seconds from 5 s after that. Targets (issue 20): 100,000
 * runs in at most 300 MB RSS (2 KB a run), the console open in at most 2 s and at most 3 % of a core idle.
 * Needs {@code mvn package} first.
 *
 * <pre>mvn -B -q -DskipTests package && [xvfb-run -a] mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.redis.MirrorScaleBench [-Dbench.args="serve|console RUNS IDLE_S"]</pre>
 */
public final class MirrorScaleBench {
    public static void main(String[] args) throws Exception {
        var what = args.length > 0 ? args[0] : "serve";
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int idleSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        var launcher = Path.of(args.length > 3 ? args[3] : "target/tether/bin/tether").toAbsolutePath();
        if (!what.equals("serve") && !what.equals("console")) throw new IllegalArgumentException("serve or console, not " + what);
        var home = Files.createTempDirectory("tether-bench-mirror");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (var server = RealRedis.start(); var admin = server.admin()) {
            RedisSetup.run(admin, Keys.standard(), null);
            var store = new RunStore(admin, Keys.standard(), Duration.ofDays(1), 10_000);
            OneShotScaleBench.park(admin, store, runs, 0);
            long redisBytes = Long.parseLong(info(admin, "memory", "used_memory"));
            System.out.printf("Redis holds %d runs (%d active), used_memory %.1f MB%n",
                    admin.zcard(Keys.standard().ids()) / 2, admin.scard(Keys.standard().active()), redisBytes / 1e6);

            var cmd = new ArrayList<>(List.of(launcher.toString(), what));
            var pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(Map.of("TETHER_REDIS_URL", server.uri(), "TETHER_HOME", home.toString(), "TETHER_JAVA", java,
                    "TETHER_FIRST_PAINT_REPORT", "true", "TETHER_LOG_LEVEL", "WARN"));
            long t0 = System.nanoTime();
            var p = pb.start();
            var marker = what.equals("serve") ? "tether serving" : "first-paint";
            var ready = new CompletableFuture<Long>();
            Thread.ofPlatform().daemon().start(() -> {
                try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        if (line.startsWith(marker)) ready.complete(System.nanoTime());
                        else if (!ready.isDone()) System.out.println("  | " + line);
                    }
                } catch (Exception ignored) { // the process ended
                }
            });
            try {
                long at = ready.get(5, TimeUnit.MINUTES);
                System.out.printf("%s over %d runs: ready after %.0f ms%n", what, runs, (at - t0) / 1e6);
                long pid = p.pid();
                // the console loads its runs after its first frame: busy until the first second under 10 % of a core
                long settledAt;
                for (long was = cpuTicks(pid); ; ) {
                    Thread.sleep(1_000);
                    long now = cpuTicks(pid);
                    if (now - was < 10) {
                        settledAt = System.nanoTime() - 1_000_000_000L;
                        break;
                    }
                    was = now;
                }
                System.out.printf("busy (loading) until %.1f s after launch%n", (settledAt - t0) / 1e9);
                Thread.sleep(5_000);
                var threadsBefore = IdleFleetBench.threads(pid);
                long before = cpuTicks(pid);
                long wall0 = System.nanoTime();
                Thread.sleep(idleSeconds * 1_000L);
                long ticks = cpuTicks(pid) - before;
                double seconds = (System.nanoTime() - wall0) / 1e9;
                var threadsAfter = IdleFleetBench.threads(pid);
                System.out.printf("idle CPU: %.2f %% of a core over %.0f s; the busiest threads:%n", 100.0 * ticks / 100.0 / seconds, seconds);
                threadsAfter.entrySet().stream()
                        .map(e -> Map.entry(e.getKey(), e.getValue() - threadsBefore.getOrDefault(e.getKey(), 0L)))
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                        .forEach(e -> System.out.printf("  %-40s %.2f %%%n", e.getKey(), 100.0 * e.getValue() / 1e9 / seconds));
                long rss = statusKb(pid, "VmRSS");
                System.out.printf("RSS %.1f MB (%.0f bytes a run; %s)%n", rss / 1024.0, rss * 1024.0 / runs, what);
                var jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
                run(jcmd, Long.toString(pid), "GC.run");
                var heap = run(jcmd, Long.toString(pid), "GC.heap_info");
                heap.lines().filter(l -> l.contains("total") && l.contains("used")).forEach(l -> System.out.println("heap after GC: " + l.strip()));
                // the classes that hold the most (with -Dtether.bench.histogram=N)
                int top = Integer.getInteger("tether.bench.histogram", 0);
                if (top > 0) run(jcmd, Long.toString(pid), "GC.class_histogram").lines().limit(top + 3).forEach(System.out::println);
                System.out.printf("RSS after GC %.1f MB%n", statusKb(pid, "VmRSS") / 1024.0);
                System.out.println("load average " + dev.tether.bench.BenchFigures.load());
            } finally {
                p.destroy();
                if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
            }
        }
    }

    private static String info(redis.clients.jedis.RedisClient redis, String section, String field) {
        return redis.info(section).lines().filter(l -> l.startsWith(field + ":")).findFirst().orElseThrow().split(":")[1].strip();
    }

    /** utime + stime of a process, in clock ticks (100 a second here). */
    private static long cpuTicks(long pid) throws Exception {
        var stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        var f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** A field of /proc/PID/status in kB (VmRSS, ...). */
    static long statusKb(long pid, String field) throws Exception {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith(field + ":"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElseThrow();
    }

    private static String run(String... cmd) throws Exception {
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
