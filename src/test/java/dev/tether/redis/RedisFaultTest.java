package dev.tether.redis;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.run.CancelOutcome;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.testing.Hang;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.tether.testing.Hang.eventuallyAcrossProcesses;

/**
 * Distributed mode under everyday faults, against real redis-server and worker processes. Every
 * test ends by accounting for every run: each ends in the state it must, executed as often as it
 * must (counted by {@link CountingGraph} in the workers), and nothing stays pending or active.
 * Each test owns its server and workers, so they run side by side.
 */
@org.junit.jupiter.api.Tag("process")
@org.junit.jupiter.api.parallel.Execution(org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT)
class RedisFaultTest {
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private final List<AutoCloseable> closeFirst = new ArrayList<>();
    private final List<WorkerProcess> workers = new ArrayList<>();
    private RealRedis server;
    private RedisView client;
    private Path log;

    @AfterEach
    void tearDown() throws Exception {
        for (var c : closeFirst) c.close();
        for (var c : closeLast.reversed()) c.close();
    }

    private void start(RealRedis redis) throws Exception {
        server = redis;
        closeLast.add(server);
        client = view(server.uri());
        closeFirst.add(client);
        log = Files.createTempFile(Files.createDirectories(Path.of("target", "redis-workers")), "counted", ".log");
    }

    private static RedisView view(String uri) {
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new CountingGraph());
        return RedisView.live(RedisSettings.parse(uri), GraphCatalog.of(graphs), Routing.none());
    }

    private WorkerProcess worker(String name, String queues, int concurrency, String... extra) throws Exception {
        return worker(List.of(), server.uri(), name, queues, concurrency, extra);
    }

    private WorkerProcess worker(List<String> jvmArgs, String uri, String name, String queues, int concurrency, String... extra) throws Exception {
        var w = WorkerProcess.start(jvmArgs, Map.of(), uri, name, queues, concurrency, extra);
        closeFirst.addFirst(w);
        workers.add(w);
        return w;
    }

    /** A counted run; its tag is its index in the returned order. */
    private String counted(String queue, String tag, int nodeMillis) {
        return client.submit("counted", queue, Map.of("log", log.toString(), "tag", tag, "nodeMillis", nodeMillis)).runId();
    }

    private RunSnapshot awaitStatus(String id, RunStatus status) {
        eventuallyAcrossProcesses().until(() -> client.registry().get(id).map(RunSnapshot::status).orElse(null) == status);
        return client.registry().get(id).orElseThrow();
    }

    private void awaitAllTerminal(java.util.Collection<String> ids) {
        // no run ending for 30 s: the threads of this JVM and of every worker go into the test output
        try (var watch = dev.tether.testing.ProgressWatch.of("runs ending", () -> ids.stream()
                .filter(id -> client.registry().get(id).map(RunSnapshot::isTerminal).orElse(false)).count())) {
            eventuallyAcrossProcesses().until(() -> ids.stream().allMatch(id ->
                    client.registry().get(id).map(RunSnapshot::isTerminal).orElse(false)));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            var open = ids.stream().map(id -> client.registry().get(id).map(r -> r.runId() + " " + r.status() + " v" + r.version()
                    + " on " + r.worker()).orElse(id + " unknown")).filter(s -> !s.contains("COMPLETED") && !s.contains("CANCELLED")
                    && !s.contains("LOST") && !s.contains("FAILED")).toList();
            var openIds = ids.stream().filter(id -> !client.registry().get(id).map(RunSnapshot::isTerminal).orElse(false)).toList();
            var queues = openIds.stream().map(id -> client.registry().get(id).map(RunSnapshot::queue).orElse(null))
                    .filter(java.util.Objects::nonNull).distinct().toList();
            throw new AssertionError("not ended after " + Hang.ACROSS_PROCESSES.toSeconds() + " s: " + open + "\n" + RedisAccounting.describe(server, openIds, queues), e);
        }
    }

    /**
     * Every run in Redis agrees with the view and ended there; no node of any run started twice; nothing
     * is active, pending or unread; no lock is held; the live workers hold no run and only they are
     * listed (a killed one was settled: no heartbeat, no set left behind).
     */
    private void assertSettled(java.util.Collection<String> ids, String... queues) throws Exception {
        CountingGraph.read(log).forEach((tag, nodes) -> assertThat(nodes.stream().map(n -> n[0]).toList())
                .as("nodes of " + tag + " started at most once").doesNotHaveDuplicates());
        RedisAccounting.assertNothingPending(server, List.of(queues),
                workers.stream().filter(w -> w.process.isAlive()).map(w -> w.name).distinct().toList());
        var store = new RunStore(server.admin(), Keys.standard(), Duration.ofDays(1), 10_000);
        for (var id : ids) {
            var stored = store.get(id).orElseThrow();
            assertThat(stored.isTerminal()).as(id + " ended in Redis").isTrue();
            assertThat(client.registry().get(id).orElseThrow().status()).as(id + " view and Redis agree").isEqualTo(stored.status());
        }
        try (var r = server.admin()) {
            eventuallyAcrossProcesses().until(() -> r.scard(Keys.standard().active()) == 0);
            for (var q : queues) {
                eventuallyAcrossProcesses().until(() -> r.xpending(Keys.standard().queue(q), Keys.GROUP).getTotal() == 0);
            }
        }
    }

    /** The run held in n2 started n1 and n2, both before its LOST verdict, and nothing after; it stays LOST. */
    private void assertRanOnlyTillLost(String tag, String run, RunSnapshot lost) throws Exception {
        var nodes = CountingGraph.read(log).get(tag);
        assertThat(nodes).as("node starts of " + tag).extracting(n -> n[0]).containsExactly("n1", "n2");
        assertThat(nodes).allSatisfy(n -> assertThat(Long.parseLong(n[1])).as("node " + n[0] + " started before LOST")
                .isLessThan(lost.endedAt().toEpochMilli()));
        assertThat(client.registry().get(run).orElseThrow().status()).isEqualTo(RunStatus.LOST);
    }

    private Map<String, Integer> executions() throws Exception {
        var out = new HashMap<String, Integer>();
        CountingGraph.read(log).forEach((tag, nodes) -> out.put(tag, (int) nodes.stream().filter(n -> n[0].equals("n1")).count()));
        return out;
    }

    private static void command(RedisClient r, String... args) {
        var name = args[0].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        r.sendCommand(() -> name, java.util.Arrays.copyOfRange(args, 1, args.length));
    }

    @Test
    void oneWorkerOnTwoQueuesWorksOffABacklogOfBoth() throws Exception {
        start(RealRedis.start());
        var ids = new LinkedHashMap<String, String>();
        for (int i = 0; i < 15; i++) {
            ids.put("a" + i, counted("qa", "a" + i, 0));
            ids.put("b" + i, counted("qb", "b" + i, 0));
        }
        worker("both", "qa,qb", 1);

        awaitAllTerminal(ids.values());
        for (var id : ids.values()) assertThat(client.registry().get(id).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(executions()).hasSize(30).allSatisfy((tag, n) -> assertThat(n).as(tag).isEqualTo(1));
        assertSettled(ids.values(), "qa", "qb");
    }

    @Test
    void redisRestartedWithItsDataMidRunLosesNothing() throws Exception {
        start(RealRedis.startPersistent());
        worker("steady", "aof", 2);
        var ids = List.of(counted("aof", "r1", 800), counted("aof", "r2", 800));
        for (var id : ids) awaitStatus(id, RunStatus.RUNNING);

        server.restart(Duration.ofSeconds(4));

        awaitAllTerminal(ids);
        for (var id : ids) assertThat(client.registry().get(id).orElseThrow().status()).as(id).isEqualTo(RunStatus.COMPLETED);
        assertThat(executions()).containsOnly(Map.entry("r1", 1), Map.entry("r2", 1));
        assertSettled(ids, "aof");
    }

    @Test
    void aStalledServerMakesNoHealthyWorkerLost() throws Exception {
        start(RealRedis.start());
        worker("patient", "stall", 2);
        var ids = new ArrayList<>(List.of(counted("stall", "s1", 600), counted("stall", "s2", 600)));
        for (var id : ids) awaitStatus(id, RunStatus.RUNNING);
        try (var admin = server.admin()) {
            command(admin, "DEBUG", "SLEEP", "4");
            ids.add(counted("stall", "s3", 300));
            command(admin, "CLIENT", "PAUSE", "4000", "ALL");
            Thread.sleep(4_500);
        }
        awaitAllTerminal(ids);
        for (var id : ids) assertThat(client.registry().get(id).orElseThrow().status()).as(id).isEqualTo(RunStatus.COMPLETED);
        assertThat(executions()).containsOnly(Map.entry("s1", 1), Map.entry("s2", 1), Map.entry("s3", 1));
        assertSettled(ids, "stall");
    }

    /**
     * A stalled server must not turn a cancel into STUCK: the run's checkpoint write (a script, paused
     * with every write) waits on the server when the worker is told to stop. The run's thread never
     * waits for it (checkpoints are written behind: RedisCheckpointStoreTest shows it deterministically,
     * on a write that would wait ten minutes); here, end to end, the worker stops and the run is accounted for.
     */
    @Test
    void aRunWhoseCheckpointWaitsOnAStalledServerStillStops() throws Exception {
        start(RealRedis.start());
        var w = WorkerProcess.start(List.of(), Map.of("TETHER_LOG_LEVEL", "INFO"), server.uri(), "stalled-writer", "stall-cp", 1);
        closeFirst.addFirst(w);
        workers.add(w);
        var id = counted("stall-cp", "w1", 400);
        eventuallyAcrossProcesses().until(() -> "n2".equals(client.registry().get(id).map(RunSnapshot::currentNode).orElse("")));
        try (var admin = server.admin()) {
            command(admin, "CLIENT", "PAUSE", "8000", "WRITE"); // reads go on; every write and script waits
            Thread.sleep(1_000); // n2 has ended: its checkpoint's write waits on the server
            long t0 = System.nanoTime();
            w.process.destroy(); // SIGTERM: the worker cancels its run (grace 2 s) and shuts down
            assertThat(w.process.waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)).isTrue();
            double took = (System.nanoTime() - t0) / 1e9;
            assertThat(w.output()).as("worker output (it stopped %.1f s after SIGTERM)", took)
                    .doesNotContain("ignored its cancel").doesNotContain("STUCK");
            command(admin, "CLIENT", "UNPAUSE");
        }
        // Its end could not be recorded before the worker exited (every write waited): the sweep settles it.
        awaitAllTerminal(List.of(id));
        assertThat(client.registry().get(id).orElseThrow().status()).isIn(RunStatus.CANCELLED, RunStatus.LOST);
        assertSettled(List.of(id), "stall-cp");
    }

    /**
     * Found by a fresh-clone run: a view's read right after Redis restarted (with its data) failed with
     * "Unexpected end of stream", the error of a pooled connection that died in the restart while
     * idle, though Redis was back to answer. Each dead connection costs one failed attempt; a view's
     * reads (like its submits) try again, for up to the pool wait, before they call Redis unavailable.
     * A one-shot view has no maintenance thread to wear its dead connections out first.
     */
    @Test
    void aViewsReadsAfterARedisRestartAreAnsweredNotFailedByConnectionsThatDiedInItsPool() throws Exception {
        start(RealRedis.startPersistent());
        var parked = counted("parked", "p1", 0); // no worker serves it
        try (var once = RedisView.oneShot(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none())) {
            assertThat(once.run(parked)).isPresent(); // its pool now holds an idle connection
            server.restart(); // with its data: every connection made before is dead
            assertThat(once.run(parked).map(RunSnapshot::status)).contains(RunStatus.QUEUED);
            server.restart();
            assertThat(once.activeRuns()).extracting(RunSnapshot::runId).contains(parked);
            server.restart();
            assertThat(once.history(dev.tether.history.HistoryQuery.newest(10)).runs()).isEmpty();
            server.restart();
            assertThat(once.cancel(parked)).isEqualTo(dev.tether.run.CancelOutcome.CANCELLED_BEFORE_START);
        }
    }

    /**
     * Found by the Redis soak: a run ended on its worker and was recorded COMPLETED; a moment later Redis
     * restarted without its data. The worker wrote back its active runs, not that one, so the run's
     * record was gone for good, and a view that had missed its end (its subscription down in a storm)
     * showed it active, then LOST and "never started", though it had run every node. Now the worker
     * writes back the ends of its recent runs too.
     */
    @Test
    void aRunThatEndedJustBeforeRedisLostItsDataIsOnRecordAgainAsItEnded() throws Exception {
        start(RealRedis.start());
        worker("keeper", "kept", 1);
        var id = counted("kept", "k1", 0);
        var ended = awaitStatus(id, RunStatus.COMPLETED);
        try (var admin = server.admin()) {
            var k = Keys.standard();
            command(admin, "FLUSHALL"); // what a restart without persistence does to the data
            eventuallyAcrossProcesses().until(() -> admin.exists(k.run(id)));
            var back = RunStore.parse(id, admin.hget(k.run(id), "j"));
            assertThat(back.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(back.startedAt()).isEqualTo(ended.startedAt());
            assertThat(back.endedAt()).isEqualTo(ended.endedAt());
            assertThat(admin.zscore(k.finished(), id)).as("in the finished index").isNotNull();
            assertThat(admin.sismember(k.active(), id)).isFalse();
            assertThat(admin.pttl(k.run(id))).as("it expires as any ended run does").isPositive();
        }
        assertThat(executions()).containsOnly(Map.entry("k1", 1));
    }

    @Test
    void aViewShowsNothingThatRedisDoesNotHave() throws Exception {
        start(RealRedis.start());
        var parked = counted("parked", "v1", 0); // no worker serves it
        server.stop();
        int rows = client.registry().size();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> counted("parked", "v2", 0))
                .isInstanceOf(RedisUnavailableException.class);
        assertThat(client.registry().size()).as("a failed submit leaves no row").isEqualTo(rows);

        server.startAgain(); // back without its data: the queued run and its job are gone
        var lost = awaitStatus(parked, RunStatus.LOST);
        assertThat(lost.error().message()).contains("gone from Redis");
        assertThat(executions()).isEmpty();
    }

    /**
     * A change whose message a view never heard (pub/sub is at-most-once; in a cluster, a failover can
     * lose one while the view's connection stays up, so nothing makes it catch up) is taken from the
     * record: the check that looks for vanished records compares versions too.
     */
    @Test
    void aRunsEndWhoseMessageAViewNeverHeardIsTakenFromItsRecord() throws Exception {
        start(RealRedis.start());
        var id = counted("parked", "m1", 0); // no worker serves it
        var queued = client.registry().get(id).orElseThrow();
        var ended = dev.tether.run.RunStateMachine.apply(queued,
                new dev.tether.run.RunEvent.CancelRequested(id, java.time.Instant.now(), dev.tether.run.CancelRequest.DEFAULT));
        assertThat(ended.status()).isEqualTo(RunStatus.CANCELLED);
        try (var admin = server.admin()) { // the record as a newer change left it, with no message published
            admin.hset(Keys.standard().run(id), Map.of("v", Long.toString(ended.version()), "j", dev.tether.json.Json.write(ended)));
        }
        var seen = awaitStatus(id, RunStatus.CANCELLED);
        assertThat(seen.version()).isEqualTo(ended.version());
        assertThat(client.activeRuns()).extracting(RunSnapshot::runId).doesNotContain(id);
    }

    /**
     * A view over more runs than one pass of the vanished-record check asks about (VanishChecks):
     * while nothing changes it asks Redis about a slice of them per pass, not every record every 2 s;
     * when Redis loses its data, every run it showed active is shown LOST, each once.
     */
    @Test
    void aViewOverManyRunsAsksAboutASliceOfThemPerPassAndStillShowsEveryLostOneLost() throws Exception {
        var redis = RealRedis.start();
        int n = 2 * VanishChecks.SLICE + 500;
        var parked = new ArrayList<String>();
        try (var admin = redis.admin()) {
            RedisSetup.run(admin, Keys.standard(), null);
            var store = new RunStore(admin, Keys.standard(), Duration.ofDays(1), 10_000);
            for (int i = 0; i < n; i++) { // on a queue no worker takes; written before the view starts, which loads them
                var request = new dev.tether.engine.RunRequest(dev.tether.run.RunIds.next(), "counted", "parked", Map.of(),
                        java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), null, null, null);
                var queued = dev.tether.run.RunStateMachine.apply(null, request.submitted());
                store.submit(queued, Keys.standard().queue("parked"), Jobs.fields(request));
                parked.add(queued.runId());
            }
            command(admin, "CONFIG", "RESETSTAT"); // from here on, only the view's commands
        }
        start(redis);
        assertThat(client.activeRuns()).hasSize(n);
        try (var admin = server.admin()) {
            eventuallyAcrossProcesses().until(() -> RealRedis.calls(admin, "hmget") >= n); // the first pass asks about every run
            command(admin, "CONFIG", "RESETSTAT");
            Thread.sleep(6_500); // at most 4 passes, one every 2 s
            assertThat(RealRedis.calls(admin, "hmget")).as("records asked about while nothing changed").isLessThanOrEqualTo(4L * VanishChecks.SLICE);

            command(admin, "FLUSHALL"); // what a restart without persistence does to the data
            eventuallyAcrossProcesses().until(() -> parked.stream().allMatch(id ->
                    client.registry().get(id).map(RunSnapshot::status).orElse(null) == RunStatus.LOST));
        }
        for (var id : parked) assertThat(client.registry().get(id).orElseThrow().error().message()).contains("gone from Redis");
        assertThat(client.activeRuns()).isEmpty();
    }

    @Test
    void aSubscriptionThatStopsAnsweringIsNoticedAndReplaced() throws Exception {
        start(RealRedis.start());
        worker("listener", "quiet", 1);
        assertThat(client.connected()).isTrue();
        try (var admin = server.admin()) {
            command(admin, "CLIENT", "PAUSE", "6000", "ALL"); // connections stay open, nothing answers
            eventuallyAcrossProcesses().until(() -> !client.connected());
        }
        eventuallyAcrossProcesses().until(() -> client.connected());
        var id = counted("quiet", "q1", 0);
        awaitStatus(id, RunStatus.COMPLETED); // events flow again on the new subscription
        assertSettled(List.of(id), "quiet");
    }

    @Test
    void connectionsKilledAtAwkwardMomentsAndScriptsFlushedStillRunEachRunOnce() throws Exception {
        start(RealRedis.start());
        worker("k1", "churn", 3);
        worker("k2", "churn", 3);
        var ids = new ArrayList<String>();
        try (var admin = server.admin()) {
            for (int i = 0; i < 150; i++) {
                ids.add(counted("churn", "c" + i, 5));
                if (i % 10 == 0) command(admin, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
                if (i % 25 == 0) command(admin, "SCRIPT", "FLUSH");
                if (i % 30 == 0) command(admin, "CLIENT", "KILL", "TYPE", "pubsub");
                Thread.sleep(3);
            }
        }
        awaitAllTerminal(ids);
        for (var id : ids) assertThat(client.registry().get(id).orElseThrow().status()).as(id).isEqualTo(RunStatus.COMPLETED);
        var runs = executions();
        assertThat(runs).hasSize(150).allSatisfy((tag, n) -> assertThat(n).as("executions of " + tag).isEqualTo(1));
        assertSettled(ids, "churn");
    }

    @Test
    void aFullServerHoldsRunsUntilItHasRoomAgain() throws Exception {
        start(RealRedis.start());
        worker("tight", "oom", 2);
        var ids = List.of(counted("oom", "m1", 300), counted("oom", "m2", 300), counted("oom", "m3", 300));
        awaitStatus(ids.get(0), RunStatus.RUNNING);
        try (var admin = server.admin()) {
            command(admin, "CONFIG", "SET", "maxmemory-policy", "noeviction");
            command(admin, "CONFIG", "SET", "maxmemory", "1");
            Thread.sleep(2_500);
            command(admin, "CONFIG", "SET", "maxmemory", "0");
        }
        awaitAllTerminal(ids);
        for (var id : ids) assertThat(client.registry().get(id).orElseThrow().status()).as(id).isIn(RunStatus.COMPLETED, RunStatus.LOST);
        assertThat(executions().values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
        assertSettled(ids, "oom");
    }

    @Test
    void malformedRecordsHarmNothingElse() throws Exception {
        start(RealRedis.start());
        var w = worker("sturdy", "bad", 1);
        var good = counted("bad", "g1", 0);
        awaitStatus(good, RunStatus.COMPLETED);
        try (var admin = server.admin()) {
            var k = Keys.standard();
            admin.hset(k.run("01a20fc6-0000-7000-8000-00000000dead"), Map.of("v", "x", "t", "0", "j", "{not json"));
            admin.sadd(k.active(), "01a20fc6-0000-7000-8000-00000000dead");
            admin.sadd(k.workers(), "ghost");
            admin.set(k.worker("ghost"), "[garbage");
            admin.publish(k.events(), "{\"runId\": 42}");
            admin.xadd(k.queue("bad"), redis.clients.jedis.params.XAddParams.xAddParams(),
                    Map.of("id", "01a20fc6-0000-7000-8000-000000000077", "graph", "counted", "queue", "bad", "submittedAt", "soon"));
        }
        try (var fresh = view(server.uri())) { // a new observer loads around the bad record
            assertThat(fresh.registry().get(good)).isPresent();
            assertThat(fresh.workers()).extracting(i -> i.name()).contains("sturdy");
        }
        var cli = CliRun.of(Map.of(), "list", "--redis", server.uri());
        assertThat(cli.exit()).as(cli.err()).isZero();
        var after = counted("bad", "g2", 0);
        awaitStatus(after, RunStatus.COMPLETED);
        assertThat(w.process.isAlive()).isTrue();
        try (var admin = server.admin()) {
            var k = Keys.standard();
            var dead = admin.xrange(k.deadLetters(), (redis.clients.jedis.StreamEntryID) null, null, 10);
            assertThat(dead).extracting(e -> e.getFields().get("reason")).anyMatch(r -> r.contains("submittedAt"));
            // the unreadable record leaves the active set for the dead-letter stream, instead of being skipped forever
            eventuallyAcrossProcesses().until(() -> !admin.sismember(k.active(), "01a20fc6-0000-7000-8000-00000000dead"));
            assertThat(admin.xrange(k.deadLetters(), (redis.clients.jedis.StreamEntryID) null, null, 10))
                    .extracting(e -> e.getFields().get("reason")).contains("unreadable run record");
        }
    }

    @Test
    void aKilledWorkerRestartedUnderItsNameSettlesWhatItsPredecessorLeft() throws Exception {
        start(RealRedis.start());
        var first = worker("phoenix", "rebirth", 1);
        var started = counted("rebirth", "p0", 60_000);
        eventuallyAcrossProcesses().until(() -> "n1".equals(client.registry().get(started).map(RunSnapshot::currentNode).orElse("")));
        var queued = new ArrayList<String>();
        for (int i = 1; i <= 3; i++) queued.add(counted("rebirth", "p" + i, 0));
        client.close(); // no observer sweeps: the new worker itself must settle its predecessor
        closeFirst.remove(client);

        first.kill9();
        worker("phoenix", "rebirth", 1);

        client = view(server.uri());
        closeFirst.add(client);
        assertThat(awaitStatus(started, RunStatus.LOST).error().message()).contains("same name");
        for (var id : queued) assertThat(awaitStatus(id, RunStatus.COMPLETED).worker()).isEqualTo("phoenix");
        assertThat(executions()).containsOnly(Map.entry("p0", 1), Map.entry("p1", 1), Map.entry("p2", 1), Map.entry("p3", 1));
        var all = new ArrayList<>(queued);
        all.add(started);
        assertSettled(all, "rebirth");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(LostRunPolicy.class)
    void aLostWorkersOwnPolicyDecidesWhatHappensToItsJobsThatNeverStarted(LostRunPolicy policy) throws Exception {
        start(RealRedis.start());
        var started = counted("la", "l0", 60_000);
        var buffered = counted("lb", "l1", 0); // one read over both queues delivers both: l1 waits, pending on the worker
        var doomed = worker("doomed", "la,lb", 1, "--lost-policy", policy.name());
        eventuallyAcrossProcesses().until(() -> "n1".equals(client.registry().get(started).map(RunSnapshot::currentNode).orElse("")));
        try (var admin = server.admin()) {
            assertThat(admin.xpending(Keys.standard().queue("lb"), Keys.GROUP).getTotal()).as("l1 delivered, not started").isEqualTo(1);
        }

        doomed.kill9();
        awaitStatus(started, RunStatus.LOST);
        worker("next", "la,lb", 1);
        var marker = counted("lb", "l2", 0);
        awaitStatus(marker, RunStatus.COMPLETED);
        if (policy == LostRunPolicy.LOSE) {
            assertThat(awaitStatus(buffered, RunStatus.LOST).startedAt()).as("a job that never started is LOST too").isNull();
            assertThat(executions()).containsOnly(Map.entry("l0", 1), Map.entry("l2", 1));
        } else {
            assertThat(awaitStatus(buffered, RunStatus.COMPLETED).worker()).as("requeued for another worker").isEqualTo("next");
            assertThat(executions()).containsOnly(Map.entry("l0", 1), Map.entry("l1", 1), Map.entry("l2", 1));
        }
        assertSettled(List.of(started, buffered, marker), "la", "lb");
    }

    @Test
    void aWorkerCutOffFromRedisStartsNoNodeAfterItsRunsAreDeclaredLost() throws Exception {
        start(RealRedis.start());
        try (var admin = server.admin()) {
            MinimalAcl.create(admin, "island", "island-pw");
        }
        var cutUri = "redis://island:island-pw@127.0.0.1:" + server.port;
        worker("mainland", "other", 1); // carries on, and sweeps
        var cut = worker(List.of(), cutUri, "island", "split", 1, "--fence-timeout", "4s");
        // held in n2 by a gate nobody opens: the cut lands mid-node however slow the machine
        var run = client.submit("counted", "split", Map.of("log", log.toString(), "tag", "x1", "holdAt", "n2",
                "gate", log.resolveSibling(log.getFileName() + ".never").toString())).runId();
        eventuallyAcrossProcesses().until(() -> "n2".equals(client.registry().get(run).map(RunSnapshot::currentNode).orElse("")));

        try (var admin = server.admin()) {
            command(admin, "ACL", "SETUSER", "island", "off");
            command(admin, "CLIENT", "KILL", "USER", "island");
        }
        var lost = awaitStatus(run, RunStatus.LOST);
        eventuallyAcrossProcesses("the island fences itself").until(() -> cut.output().contains("stopping its runs (fence)"));
        try (var admin = server.admin()) {
            command(admin, "ACL", "SETUSER", "island", "on");
        }
        var after = counted("split", "x2", 0); // the island serves again; the LOST run stays LOST
        awaitStatus(after, RunStatus.COMPLETED);
        eventuallyAcrossProcesses().until(() -> cut.output().contains("stopped these runs itself"));
        Thread.sleep(1_500); // time for a node the fence failed to stop to (wrongly) start

        assertRanOnlyTillLost("x1", run, lost);
        assertSettled(List.of(run, after), "split");
    }

    /**
     * README: a worker whose process stands still for 2.5 s cannot be told from a dead one; its runs are
     * LOST, and when it runs again it learns the verdict and stops them before any further node starts.
     * The node it was in may end while it stands still (the gate opens meanwhile), so nothing but the
     * verdict keeps the next node from starting at the first instant it runs again.
     */
    @Test
    void aWorkerThatStoodStillIsLostAndRunsNoFurtherNodeWhenItMovesAgain() throws Exception {
        start(RealRedis.start());
        var frozen = worker("frozen", "still", 1);
        var gate = log.resolveSibling(log.getFileName() + ".gate");
        var run = client.submit("counted", "still", Map.of("log", log.toString(), "tag", "f1", "holdAt", "n2",
                "gate", gate.toString())).runId();
        eventuallyAcrossProcesses().until(() -> "n2".equals(client.registry().get(run).map(RunSnapshot::currentNode).orElse("")));

        frozen.pause();
        RunSnapshot lost;
        try {
            lost = awaitStatus(run, RunStatus.LOST); // the view's sweep: no heartbeat for 2.5 s
            Files.createFile(gate); // n2 may end at once, n3 is next
        } finally {
            frozen.resume();
        }
        var after = counted("still", "f2", 0); // its one slot is free once the LOST run stopped there
        awaitStatus(after, RunStatus.COMPLETED);
        Thread.sleep(1_500); // time for a node the verdict failed to stop to (wrongly) start

        assertRanOnlyTillLost("f1", run, lost);
        // (had it stood still past its fence timeout, its own fence stopped the run first, and says so)
        assertThat(frozen.output()).as("the worker says why it stopped the run")
                .containsAnyOf("run " + run + " already ended in Redis", "stopped these runs itself while out of contact: [" + run);
        assertSettled(List.of(run, after), "still");
    }

    @Test
    void aCancelRacingTheClaimNeverReportsCancelledBeforeStartForARunThatStarted() throws Exception {
        start(RealRedis.start());
        worker("r1", "claims", 4);
        worker("r2", "claims", 4);
        var random = new Random(Long.getLong("race.seed", System.nanoTime()));
        var outcomes = new LinkedHashMap<String, CancelOutcome>();
        var tags = new HashMap<String, String>();
        for (int i = 0; i < Integer.getInteger("claims.runs", 1_000); i++) {
            var id = counted("claims", "t" + i, 2);
            tags.put(id, "t" + i);
            if (random.nextInt(4) > 0) Thread.onSpinWait();
            long spin = random.nextInt(400_000);
            for (long t0 = System.nanoTime(); System.nanoTime() - t0 < spin; ) Thread.onSpinWait();
            outcomes.put(id, client.cancel(id));
        }
        awaitAllTerminal(outcomes.keySet());
        var runs = executions();
        for (var e : outcomes.entrySet()) {
            var run = client.registry().get(e.getKey()).orElseThrow();
            int executed = runs.getOrDefault(tags.get(e.getKey()), 0);
            assertThat(executed).as("executions of " + e.getKey()).isLessThanOrEqualTo(1);
            if (e.getValue() == CancelOutcome.CANCELLED_BEFORE_START) {
                assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
                assertThat(run.startedAt()).as(e.getKey() + " never started").isNull();
                assertThat(executed).as(e.getKey() + " never executed").isZero();
            } else {
                assertThat(run.status()).as(e.getKey()).isIn(RunStatus.CANCELLED, RunStatus.COMPLETED);
            }
        }
        assertSettled(outcomes.keySet(), "claims");
    }

    @Test
    void aBacklogLargerThanTheTrimLimitIsWorkedOffWhole() throws Exception {
        start(RealRedis.start());
        var ids = new ArrayList<String>();
        for (int i = 0; i < 400; i++) ids.add(counted("deep", "d" + i, 0));
        worker(List.of("-Dtether.redis.trimAbove=50"), server.uri(), "digger", "deep", 4);

        awaitAllTerminal(ids);
        for (var id : ids) assertThat(client.registry().get(id).orElseThrow().status()).as(id).isEqualTo(RunStatus.COMPLETED);
        assertThat(executions()).hasSize(400).allSatisfy((tag, n) -> assertThat(n).isEqualTo(1));
        assertSettled(ids, "deep");
        try (var admin = server.admin()) { // acknowledged entries were trimmed
            eventuallyAcrossProcesses().until(() -> admin.xlen(Keys.standard().queue("deep")) <= 60);
        }
    }
}
