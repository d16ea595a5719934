package dev.tether.redis;

import dev.tether.testing.Hang;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.run.CancelOrigin;
import dev.tether.run.RunPolicy;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Run policies in Redis mode, against a real redis-server and real worker processes: max-concurrent
 * holds across workers (counted by the graph itself) while one of them is killed, retries wait in
 * Redis's due-time index and survive a restart of Redis with its append-only file, and a deadline
 * stops a run on its worker.
 */
@Tag("process")
class RedisPolicyTest {
    private RealRedis server;
    private RedisView client;
    private final List<WorkerProcess> workers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (var w : workers) w.close();
        if (client != null) client.close();
        if (server != null) server.close();
    }

    private void connect(RealRedis redis) {
        server = redis;
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new CountingGraph());
        graphs.add(new ConcurrencyProbeGraph());
        client = RedisView.live(RedisSettings.parse(server.uri()), GraphCatalog.of(graphs), Routing.none());
    }

    private WorkerProcess worker(String name, String queue, int slots) throws Exception {
        var w = WorkerProcess.start(server.uri(), name, queue, slots);
        workers.add(w);
        return w;
    }

    private RunSnapshot end(String id) {
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> client.registry().get(id).map(RunSnapshot::isTerminal).orElse(false));
        return client.run(id).orElseThrow();
    }

    @Test
    void maxConcurrentIsNeverExceededAcrossWorkersEvenWhenOneIsKilled() throws Exception {
        connect(RealRedis.start());
        var a = worker("probe-a", "probe", 4);
        worker("probe-b", "probe", 4);
        var random = new Random(19);
        var ids = new ArrayList<String>();
        int runs = Integer.getInteger("policy.runs", 1_000);
        var pid = Long.toString(a.process.pid());
        boolean killed = false;
        long giveUp = Long.MAX_VALUE;
        try (var admin = server.admin()) {
            for (int i = 0; !killed; i++) {
                if (i < runs) {
                    ids.add(client.submit("probe", null, Map.of("millis", random.nextInt(12), "redisPort", server.port)).runId());
                    if (random.nextInt(20) == 0) Thread.sleep(random.nextInt(15)); // bursts, then pauses
                } else { // every run is submitted and none held probe-a yet: one at a time until one does
                    if (giveUp == Long.MAX_VALUE) giveUp = System.nanoTime() + Hang.ACROSS_PROCESSES.toNanos();
                    ids.add(client.submit("probe", null, Map.of("millis", 0, "redisPort", server.port)).runId());
                    Thread.sleep(5);
                }
                if (i == runs / 3) { // from here on, a run that enters the node on probe-a stays there
                    await().atMost(Hang.ACROSS_PROCESSES).until(() -> ids.stream().limit(runs / 6).allMatch(id -> client.registry().get(id).map(RunSnapshot::isTerminal).orElse(false)));
                    admin.set(ConcurrencyProbeGraph.HOLD, pid);
                }
                if (i >= runs / 3 && admin.smembers(ConcurrencyProbeGraph.HELD).stream().anyMatch(m -> m.startsWith(pid + ":"))) {
                    a.kill9(); // killed inside a run, holding its place: the place must come free again
                    admin.del(ConcurrencyProbeGraph.HOLD);
                    killed = true;
                    for (var member : admin.smembers(ConcurrencyProbeGraph.INFLIGHT)) { // they ended with the process
                        if (member.startsWith(pid + ":")) admin.srem(ConcurrencyProbeGraph.INFLIGHT, member);
                    }
                }
                if (i >= runs && System.nanoTime() > giveUp) throw new AssertionError("no run ever entered the node on probe-a");
            }
            for (int i = ids.size(); i < runs; i++) {
                ids.add(client.submit("probe", null, Map.of("millis", random.nextInt(12), "redisPort", server.port)).runId());
                if (random.nextInt(20) == 0) Thread.sleep(random.nextInt(15));
            }
        }
        var counts = new HashMap<RunStatus, Integer>();
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> ids.stream().allMatch(id -> client.registry().get(id).map(RunSnapshot::isTerminal).orElse(false)));
        for (var id : ids) {
            var r = client.run(id).orElseThrow();
            counts.merge(r.status(), 1, Integer::sum);
            if (r.status() == RunStatus.LOST) assertThat(r.worker()).as("only the killed worker's runs are lost").isEqualTo("probe-a");
            else assertThat(r.status()).as(r.toString()).isEqualTo(RunStatus.COMPLETED);
        }
        try (var admin = server.admin()) {
            assertThat(Integer.parseInt(admin.get(ConcurrencyProbeGraph.MAX)))
                    .as("most runs of the graph executing at once, as the graph counted them; %s", counts)
                    .isEqualTo(ConcurrencyProbeGraph.LIMIT);
            assertThat(admin.hlen(client.keysForTest().lease("graph:probe"))).as("no place is left taken").isZero();
            assertThat(admin.zcard(client.keysForTest().waiting("graph:probe"))).as("nobody is left waiting").isZero();
        }
        assertThat(counts.getOrDefault(RunStatus.COMPLETED, 0)).isGreaterThan(runs / 2);
        assertThat(counts.getOrDefault(RunStatus.LOST, 0)).as("the run it held when killed").isBetween(1, ConcurrencyProbeGraph.LIMIT);
    }

    @Test
    void aRetryWaitsInRedisSurvivesARestartWithItsAppendOnlyFileAndRunsOnlyTheFailedNodeOn() throws Exception {
        connect(RealRedis.startPersistent());
        var dir = Files.createDirectories(Path.of("target", "redis-workers"));
        var log = Files.createTempFile(dir, "retry", ".log");
        var marker = dir.resolve("retry-" + System.nanoTime() + ".failed");
        worker("retrier", "counted", 1);
        var policy = RunPolicy.of(Map.of("retries", "2", "retry-delay", "4s", "retry-jitter", "0"));
        var first = client.submit("counted", null, Map.of("log", log.toString(), "tag", "t", "failAt", "n3",
                "failMarker", marker.toString()), policy).runId();
        var failed = end(first);
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        var retry = await().atMost(Hang.ACROSS_PROCESSES).until(() -> client.registry().select(r -> r.retry() != null
                && r.retry().previous().equals(first)), l -> !l.isEmpty()).getFirst();
        assertThat(retry.status()).isEqualTo(RunStatus.QUEUED);
        assertThat(retry.retry().label()).isEqualTo("attempt 2 of 3");
        assertThat(retry.retry().after()).contains("transient failure in n3");
        try (var admin = server.admin()) {
            assertThat(admin.zscore(client.keysForTest().due("counted"), retry.runId())).as("in the due-time index")
                    .isEqualTo((double) retry.retry().due().toEpochMilli());
        }
        server.restart(); // within the backoff: the retry lives on in the append-only file
        var done = end(retry.runId());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.startedAt()).isAfterOrEqualTo(retry.retry().due());
        var starts = new java.util.TreeMap<String, Long>();
        CountingGraph.read(log).getOrDefault("t", List.of()).forEach(n -> starts.merge(n[0], 1L, Long::sum));
        assertThat(starts).as("n1 and n2 completed in the first attempt; n3 failed there and ran again")
                .containsExactly(Map.entry("n1", 1L), Map.entry("n2", 1L), Map.entry("n3", 2L), Map.entry("n4", 1L), Map.entry("n5", 1L));
    }

    /** The run is held in its first node by a gate file nobody creates: only its deadline can end it. */
    @Test
    void aDeadlineStopsARunOnItsWorkerAndRecordsWhy() throws Exception {
        connect(RealRedis.start());
        worker("timed", "counted", 1);
        var dir = Files.createDirectories(Path.of("target", "redis-workers"));
        var log = Files.createTempFile(dir, "deadline", ".log");
        var gate = dir.resolve("deadline-" + System.nanoTime() + ".never");
        var id = client.submit("counted", null, Map.of("log", log.toString(), "tag", "d", "holdAt", "n1", "gate", gate.toString()),
                RunPolicy.of("max-runtime", "1s")).runId();
        var end = end(id);
        assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(end.cancelOrigin()).isEqualTo(CancelOrigin.DEADLINE);
        assertThat(end.cancelReason()).isEqualTo("max-runtime 1s");
        assertThat(Duration.between(end.startedAt(), end.cancelRequestedAt())).as("not before its deadline").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(end.steps()).as("stopped in its first node (or before it, on a slow start): none finished").isZero();
        assertThat(CountingGraph.read(log).getOrDefault("d", List.of())).as("no node after the first started")
                .allMatch(n -> n[0].equals("n1"));
    }
}
