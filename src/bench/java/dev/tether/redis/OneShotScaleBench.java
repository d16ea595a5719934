package dev.tether.redis;

import dev.tether.run.CancelRequest;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import org.bsc.langgraph4j.checkpoint.Checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.Map;

/**
 * Wall time of the one-shot commands with {@code --redis} (JVM start included, through the real
 * launcher) with RUNS runs parked in Redis (half queued on a queue no worker takes, half ended),
 * beside {@code tether --version} (the JVM start floor). The target: each within 250 ms of it.
 * Needs {@code mvn package} first.
 *
 * <pre>mvn -B -q -DskipTests package && mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.redis.OneShotScaleBench [-Dbench.args="RUNS SAMPLES"]</pre>
 */
public final class OneShotScaleBench {
    private static final String QUEUE = "parked";

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        var launcher = Path.of(args.length > 2 ? args[2] : "target/tether/bin/tether").toAbsolutePath();
        var home = Files.createTempDirectory("tether-bench-oneshot");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (var server = RealRedis.start(); var admin = server.admin()) {
            RedisSetup.run(admin, Keys.standard(), null);
            var store = new RunStore(admin, Keys.standard(), Duration.ofDays(1), 10_000);
            park(admin, store, runs, 2);
            System.out.printf("Redis holds %d runs (%d active)%n", admin.zcard(Keys.standard().ids()) / 2, admin.scard(Keys.standard().active()));
            var env = Map.of("TETHER_REDIS_URL", server.uri(), "TETHER_HOME", home.toString(), "TETHER_JAVA", java);
            for (int i = 0; i < 3; i++) time(launcher, env, "--version"); // warm the file cache
            var figures = new java.util.LinkedHashMap<String, List<Double>>();
            for (var name : List.of("--version", "submit", "status", "cancel", "cancel --wait", "resume", "list", "list --json",
                    "list --worker w1")) figures.put(name, new ArrayList<>());
            var ended = ended(admin, store);
            // args[3]: only these commands (comma-separated names as printed), e.g. to time an older build's launcher
            var only = args.length > 3 ? Set.of(args[3].split(",")) : null;
            if (only != null) figures.keySet().removeIf(name -> !name.equals("--version") && !only.contains(name));
            BiConsumer<String, Callable<Double>> sample = (name, timing) -> {
                if (!figures.containsKey(name)) return;
                try {
                    figures.get(name).add(timing.call());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            for (int i = 0; i < samples; i++) {
                sample.accept("--version", () -> time(launcher, env, "--version"));
                sample.accept("submit", () -> time(launcher, env, "submit", "welcome-email", "--queue", QUEUE));
                sample.accept("status", () -> time(launcher, env, "status", ended.shortId()));
                sample.accept("cancel", () -> time(launcher, env, "cancel", queue(store).shortId()));
                sample.accept("cancel --wait", () -> time(launcher, env, "cancel", queue(store).shortId(), "--wait"));
                sample.accept("resume", () -> time(launcher, env, "resume", ended.shortId()));
                sample.accept("list", () -> time(launcher, env, "list")); // the first page: 1,000 runs (an older build: every run)
                sample.accept("list --json", () -> time(launcher, env, "list", "--json"));
                sample.accept("list --worker w1", () -> time(launcher, env, "list", "--worker", "w1")); // no run of its own: an empty page
            }
            double floor = p50(figures.get("--version"));
            figures.forEach((name, ms) -> {
                var sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                System.out.printf("tether %-14s p50 %5.0f ms  p90 %5.0f ms  max %5.0f ms  (p50 %+4.0f ms against --version; %d samples)%n",
                        name, dev.tether.bench.BenchFigures.p(sorted, 0.5), dev.tether.bench.BenchFigures.p(sorted, 0.9),
                        sorted[sorted.length - 1], dev.tether.bench.BenchFigures.p(sorted, 0.5) - floor, sorted.length);
            });
            System.out.println("load average " + dev.tether.bench.BenchFigures.load());
        }
    }

    private static double p50(List<Double> ms) {
        return dev.tether.bench.BenchFigures.p(ms.stream().mapToDouble(Double::doubleValue).sorted().toArray(), 0.5);
    }

    /**
     * {@code n} runs on a queue no worker takes, written as a deployment writes them, a thousand a round
     * trip: one in {@code cancelledEvery} cancelled before it started, the others queued (0: all queued).
     */
    static void park(redis.clients.jedis.RedisClient admin, RunStore store, int n, int cancelledEvery) {
        var keys = store.keys();
        for (int from = 0; from < n; from += 1_000) {
            try (var pipe = admin.pipelined()) {
                for (int i = from; i < Math.min(n, from + 1_000); i++) {
                    var request = request();
                    var queued = RunStateMachine.apply(null, request.submitted());
                    var submitKeys = new ArrayList<>(store.runKeys(queued.runId()));
                    submitKeys.add(keys.queue(QUEUE));
                    submitKeys.add(keys.ids());
                    var submitArgs = new ArrayList<>(store.writeArgs(queued));
                    Jobs.fields(request).forEach((k, v) -> {
                        submitArgs.add(k);
                        submitArgs.add(v);
                    });
                    pipe.evalsha(Script.SUBMIT.sha(), submitKeys, submitArgs);
                    if (cancelledEvery > 0 && i % cancelledEvery == cancelledEvery - 1) {
                        var cancelled = RunStateMachine.apply(queued, new RunEvent.CancelRequested(queued.runId(), Instant.now(), CancelRequest.DEFAULT));
                        var writeKeys = new ArrayList<>(store.runKeys(queued.runId()));
                        writeKeys.add(keys.ids());
                        pipe.evalsha(Script.WRITE.sha(), writeKeys, store.writeArgs(cancelled));
                    }
                }
                pipe.sync();
            }
        }
    }

    private static dev.tether.engine.RunRequest request() {
        return new dev.tether.engine.RunRequest(RunIds.next(), "welcome-email", QUEUE, Map.of("name", "x"),
                Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null, null);
    }

    private static RunSnapshot queue(RunStore store) {
        var request = request();
        var queued = RunStateMachine.apply(null, request.submitted());
        store.submit(queued, store.keys().queue(QUEUE), Jobs.fields(request));
        return queued;
    }

    /** A cancelled run with a checkpoint: it can be resumed (again and again). */
    private static RunSnapshot ended(redis.clients.jedis.RedisClient admin, RunStore store) {
        var run = queue(store);
        var cancelled = store.updateQueued(run.runId(), new RunEvent.CancelRequested(run.runId(), Instant.now(), CancelRequest.DEFAULT)).orElseThrow();
        var checkpoint = Checkpoint.builder().id("c1").nodeId("render").nextNodeId("send").state(Map.of("name", "x")).build();
        admin.rpush(store.keys().checkpoints(run.runId()), RedisCheckpointStore.entry(checkpoint, Instant.now()));
        return cancelled;
    }

    /** Wall time of one command through the launcher; throws unless it exits 0. */
    static double time(Path launcher, Map<String, String> env, String... args) throws Exception {
        var cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        var p = pb.start();
        if (p.waitFor() != 0) throw new IllegalStateException("tether " + String.join(" ", args) + " exited " + p.exitValue());
        return (System.nanoTime() - t0) / 1e6;
    }
}
