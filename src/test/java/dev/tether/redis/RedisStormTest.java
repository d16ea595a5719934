package dev.tether.redis;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.testing.ProgressWatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection-kill storm, an invariant test: two workers of 4 slots run 300 five-node runs while,
 * for 15 s, every client connection is killed every 0.3 s, every subscription every 1.5 s, and the
 * script cache is flushed every 3 s. At the end every run is accounted for.
 */
@org.junit.jupiter.api.Tag("process")
class RedisStormTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (var c : toClose.reversed()) c.close();
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    @Test
    void aConnectionKillStormLosesNoRunAndRunsEachOnce() throws Exception {
        int runs = Integer.getInteger("storm.runs", 300);
        long stormMillis = Long.getLong("storm.millis", 15_000);
        var server = closing(RealRedis.start());
        var log = Files.createTempFile(Files.createDirectories(Path.of("target", "redis-workers")), "storm", ".log");
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new CountingGraph());
        var view = closing(RedisView.live(RedisSettings.parse(server.uri()), GraphCatalog.of(graphs), Routing.none()));
        var workers = List.of(closing(WorkerProcess.start(server.uri(), "s1", "storm", 4)),
                closing(WorkerProcess.start(server.uri(), "s2", "storm", 4)));

        var stop = new AtomicBoolean();
        var faults = new AtomicInteger();
        var storm = Thread.ofPlatform().name("storm").start(() -> {
            try (var admin = server.admin()) {
                long t0 = System.nanoTime();
                for (int tick = 1; !stop.get() && System.nanoTime() - t0 < stormMillis * 1_000_000; tick++) {
                    Thread.sleep(300);
                    command(admin, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
                    if (tick % 5 == 0) command(admin, "CLIENT", "KILL", "TYPE", "pubsub");
                    if (tick % 10 == 0) command(admin, "SCRIPT", "FLUSH");
                    faults.incrementAndGet();
                }
            } catch (InterruptedException ignored) {
            }
        });
        var ids = new ArrayList<String>();
        var tags = new java.util.HashMap<String, String>();
        var refused = new ArrayList<String>();
        long interval = Math.max(1, stormMillis / 2 / runs); // submitted over the first half of the storm
        for (int i = 0; i < runs; i++) {
            try {
                var id = view.submit("counted", "storm", Map.of("log", log.toString(), "tag", "t" + i, "nodeMillis", 20)).runId();
                ids.add(id);
                tags.put(id, "t" + i);
            } catch (RedisUnavailableException e) { // said so to the caller; its run may exist all the same (reply lost)
                refused.add("t" + i);
            }
            Thread.sleep(interval);
        }
        var ended = (java.util.function.LongSupplier) () -> ids.stream()
                .filter(id -> view.registry().get(id).map(RunSnapshot::isTerminal).orElse(false)).count();
        try (var watch = ProgressWatch.of("runs ended under the storm", ended)) {
            storm.join();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("storm.waitSeconds", 150));
            while (ended.getAsLong() < ids.size() && System.nanoTime() < deadline) Thread.sleep(200);
        } finally {
            stop.set(true);
            storm.join();
        }
        var open = ids.stream().map(id -> view.registry().get(id).orElse(null))
                .filter(r -> r == null || !r.isTerminal()).map(r -> r == null ? "?" : r.runId() + " " + r.status() + " on " + r.worker())
                .toList();
        // the figures BENCHMARKS.md quotes (with the machine's load)
        var spans = ids.stream().map(id -> view.registry().get(id).orElse(null)).filter(r -> r != null && r.endedAt() != null).toList();
        var firstSubmit = spans.stream().map(RunSnapshot::submittedAt).min(java.util.Comparator.naturalOrder()).orElse(null);
        var lastEnd = spans.stream().map(RunSnapshot::endedAt).max(java.util.Comparator.naturalOrder()).orElse(null);
        System.out.printf("storm: %d runs, %d fault ticks, %d submits refused, %d not ended; first submit to last end %.1f s (storm %d s); load %.1f%n",
                ids.size(), faults.get(), refused.size(), open.size(),
                firstSubmit == null || lastEnd == null ? -1.0 : java.time.Duration.between(firstSubmit, lastEnd).toMillis() / 1e3,
                stormMillis / 1000, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        if (!open.isEmpty()) System.out.println(RedisAccounting.describe(server, ids.stream()
                .filter(id -> !view.registry().get(id).map(RunSnapshot::isTerminal).orElse(false)).toList(), List.of("storm")));
        for (var w : workers) assertThat(w.process.isAlive()).as(w.name + " alive").isTrue();
        assertThat(open).as("runs not ended 150 s after a storm of %d faults (%d submits refused)", faults.get(), refused.size()).isEmpty();

        var executed = CountingGraph.read(log);
        for (var id : ids) {
            assertThat(view.registry().get(id).orElseThrow().status()).as(id).isEqualTo(RunStatus.COMPLETED);
            assertThat(executed.get(tags.get(id))).as("node starts of " + id).extracting(n -> n[0])
                    .containsExactlyElementsOf(CountingGraph.NODES);
        }
        executed.keySet().removeAll(tags.values());
        assertThat(refused).as("refused submits that executed anyway (their reply was lost)").containsAll(executed.keySet());
        executed.forEach((tag, nodes) -> assertThat(nodes).as("node starts of " + tag).extracting(n -> n[0])
                .containsExactlyElementsOf(CountingGraph.NODES));
        RedisAccounting.assertNothingPending(server, List.of("storm"), List.of("s1", "s2"));
    }

    private static void command(RedisClient r, String... args) {
        var name = args[0].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        r.sendCommand(() -> name, java.util.Arrays.copyOfRange(args, 1, args.length));
    }
}
