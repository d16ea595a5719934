package dev.tether.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an idle fleet costs: N real worker processes (the packaged launcher) on one real Redis, with
 * nothing to do, optionally with runs parked in Redis and runs sleeping in their nodes; after a
 * warm-up, the CPU each process used over a window, read from {@code /proc/PID/task/TID/schedstat}
 * (nanoseconds on a CPU: exact, not sampled), per worker and per thread name, and Redis' own.
 *
 * <pre>
 * mvn -B -q -DskipTests package
 * mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.redis.IdleFleetBench -Dbench.args="WORKERS WARMUP_S WINDOW_S PARKED SLEEPING [LAUNCHER]"
 * </pre>
 *
 * PARKED runs wait on a queue no worker takes; SLEEPING runs (a node that sleeps for an hour) are
 * spread over the workers, SLEEPING per worker.
 */
public final class IdleFleetBench {
    public static void main(String[] args) throws Exception {
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 120;
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        int parked = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        int sleeping = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        var launcher = Path.of(args.length > 5 ? args[5] : "target/tether/bin/tether").toAbsolutePath();
        var home = Files.createTempDirectory("tether-bench-fleet");
        var javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var processes = new ArrayList<Process>();
        try (var server = RealRedis.start(); var admin = server.admin()) {
            var env = Map.of("TETHER_REDIS_URL", server.uri(), "TETHER_HOME", home.toString(), "TETHER_JAVA", javaBin);
            OneShotScaleBench.time(launcher, env, "redis", "setup");
            for (int i = 0; i < parked; i += 1_000) {
                try (var pipe = admin.pipelined()) {
                    for (int j = i; j < Math.min(parked, i + 1_000); j++) {
                        var request = new dev.tether.engine.RunRequest(dev.tether.run.RunIds.next(), "welcome-email", "parked",
                                Map.of("name", "x"), java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), null, null, null);
                        var queued = dev.tether.run.RunStateMachine.apply(null, request.submitted());
                        var store = new RunStore(admin, Keys.standard(), Duration.ofDays(1), 10_000);
                        var keys = new ArrayList<>(store.runKeys(queued.runId()));
                        keys.add(Keys.standard().queue("parked"));
                        keys.add(Keys.standard().ids());
                        var argv = new ArrayList<>(store.writeArgs(queued));
                        Jobs.fields(request).forEach((k, v) -> {
                            argv.add(k);
                            argv.add(v);
                        });
                        pipe.evalsha(Script.SUBMIT.sha(), keys, argv);
                    }
                    pipe.sync();
                }
            }
            for (int i = 0; i < workers; i++) {
                var pb = new ProcessBuilder(launcher.toString(), "worker", "--queues", "work", "--concurrency", "4", "--name", "idle-" + i)
                        .redirectOutput(home.resolve("worker-" + i + ".log").toFile()).redirectErrorStream(true);
                pb.environment().putAll(env);
                processes.add(pb.start());
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (admin.scard(Keys.standard().workers()) < workers) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("only " + admin.scard(Keys.standard().workers()) + " workers joined");
                Thread.sleep(200);
            }
            for (int i = 0; i < sleeping * workers; i++) {
                OneShotScaleBench.time(launcher, env, "submit", "book-workflow", "--queue", "work", "--input", "nodeMillis=3600000", "--input", "jitter=0");
            }
            System.out.printf("%d workers joined; %d runs parked, %d sleeping; warming up %d s%n", workers, parked, sleeping * workers, warmup);
            Thread.sleep(warmup * 1_000L);
            long redisPid = admin.info("server").lines().filter(l -> l.startsWith("process_id:"))
                    .mapToLong(l -> Long.parseLong(l.substring(11).strip())).findFirst().orElseThrow();
            var before = new ArrayList<Map<String, Long>>();
            for (var p : processes) before.add(threads(p.pid()));
            long redisBefore = total(threads(redisPid));
            long t0 = System.nanoTime();
            Thread.sleep(window * 1_000L);
            double seconds = (System.nanoTime() - t0) / 1e9;
            var byThread = new TreeMap<String, Long>();
            var perWorker = new ArrayList<Double>();
            for (int i = 0; i < processes.size(); i++) {
                var after = threads(processes.get(i).pid());
                long used = 0;
                for (var e : after.entrySet()) {
                    long d = e.getValue() - before.get(i).getOrDefault(e.getKey(), 0L);
                    used += d;
                    byThread.merge(e.getKey().substring(e.getKey().indexOf(' ') + 1), d, Long::sum);
                }
                perWorker.add(100.0 * used / 1e9 / seconds);
            }
            double redisPct = 100.0 * (total(threads(redisPid)) - redisBefore) / 1e9 / seconds;
            var sorted = perWorker.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double sum = perWorker.stream().mapToDouble(Double::doubleValue).sum();
            System.out.printf("per worker: mean %.2f %%, p50 %.2f %%, max %.2f %% of a core; all %d workers %.1f %% of a core; redis-server %.2f %%%n",
                    sum / workers, sorted[sorted.length / 2], sorted[sorted.length - 1], workers, sum, redisPct);
            System.out.println("by thread (mean per worker, % of a core):");
            byThread.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(12)
                    .forEach(e -> System.out.printf("  %6.3f %%  %s%n", 100.0 * e.getValue() / 1e9 / seconds / workers, e.getKey()));
            System.out.println("load average " + dev.tether.bench.BenchFigures.load());
        } finally {
            for (var p : processes) p.destroy();
            for (var p : processes) p.waitFor();
        }
    }

    /** CPU time per thread ("tid name" to ns) of a process. */
    static Map<String, Long> threads(long pid) throws IOException {
        var out = new TreeMap<String, Long>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (var t : tasks.toList()) {
                try {
                    var name = Files.readString(t.resolve("comm")).strip().replaceAll("-\\d+$", "-N");
                    out.put(t.getFileName() + " " + name, Long.parseLong(Files.readString(t.resolve("schedstat")).split(" ")[0]));
                } catch (IOException gone) { // the thread ended meanwhile
                }
            }
        }
        return out;
    }

    private static long total(Map<String, Long> threads) {
        return threads.values().stream().mapToLong(Long::longValue).sum();
    }
}
