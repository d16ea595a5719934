package dev.tether.redis;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.CancelOutcome;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XClaimParams;
import redis.clients.jedis.params.XReadGroupParams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.tether.testing.Hang.eventuallyAcrossProcesses;

/** Distributed mode against a real redis-server with real worker processes. */
@org.junit.jupiter.api.Tag("process")
class RedisModeTest {
    static RealRedis server;
    RedisView client;
    final List<WorkerProcess> workers = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws Exception {
        server = RealRedis.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        server.close();
    }

    @BeforeEach
    void connect() {
        client = RedisView.live(RedisSettings.parse(server.uri()), withTestGraphs(), Routing.none());
    }

    /** The installed graphs and the test graph the workers are given ({@link CountingGraph}): a submit names only graphs it knows. */
    private static GraphCatalog withTestGraphs() {
        var all = new java.util.ArrayList<dev.tether.api.GraphDefinition>(GraphCatalog.load(null).all());
        all.add(new CountingGraph());
        return GraphCatalog.of(all);
    }

    @AfterEach
    void disconnect() throws Exception {
        for (var w : workers) w.close();
        client.close();
    }

    private WorkerProcess worker(String name, String queues, int concurrency) throws Exception {
        var w = WorkerProcess.start(server.uri(), name, queues, concurrency);
        workers.add(w);
        return w;
    }

    private RunSnapshot run(String id) {
        return client.registry().get(id).orElseThrow();
    }

    private RunSnapshot awaitStatus(String id, RunStatus status) {
        eventuallyAcrossProcesses().until(() -> client.registry().get(id).map(RunSnapshot::status).orElse(null) == status);
        return run(id);
    }

    @Test
    void runsGoToTheWorkerOfTheirQueue() throws Exception {
        worker("books", "ai_processing", 1);
        worker("mail", "email", 1);

        var book = client.submit("book-workflow", null, Map.of("nodeMillis", 10, "chapters", 1)).runId();
        var mail = client.submit("welcome-email", null, Map.of()).runId();

        assertThat(awaitStatus(book, RunStatus.COMPLETED).worker()).isEqualTo("books");
        assertThat(awaitStatus(mail, RunStatus.COMPLETED).worker()).isEqualTo("mail");
        assertThat(run(book).queue()).isEqualTo("ai_processing");
    }

    @Test
    void aRunCancelledWhileQueuedNeverStartsEvenIfItsWorkerComesLater() throws Exception {
        var id = client.submit("welcome-email", "parked", Map.of()).runId();
        assertThat(client.cancel(id)).isEqualTo(CancelOutcome.CANCELLED_BEFORE_START);

        var w = worker("late", "parked", 1);
        var marker = client.submit("welcome-email", "parked", Map.of()).runId(); // proof the worker consumes the queue
        awaitStatus(marker, RunStatus.COMPLETED);

        assertThat(run(id).status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run(id).startedAt()).as("never started").isNull();
        assertThat(w.output()).doesNotContain(id);
        try (var r = redisClient()) { // acknowledged once ended: the marker's ack may trail its COMPLETED state
            eventuallyAcrossProcesses().until(() -> r.xpending(client.keysForTest().queue("parked"), Keys.GROUP).getTotal() == 0);
        }
    }

    /** How soon (milliseconds) is RedisBench's to measure: cancel → CANCELLED seen by the client. */
    @Test
    void aRunningRunIsCancelledInItsWorker() throws Exception {
        worker("runner", "long", 1);
        var id = client.submit("book-workflow", "long", Map.of("nodeMillis", 3_600_000)).runId();
        eventuallyAcrossProcesses().until(() -> client.registry().get(id).map(RunSnapshot::currentNode).orElse("").equals("outline"));

        assertThat(client.cancel(id)).isEqualTo(CancelOutcome.CANCELLING);
        var cancelled = awaitStatus(id, RunStatus.CANCELLED);

        assertThat(cancelled.cancelledAtNode()).isEqualTo("outline");
        assertThat(cancelled.worker()).isEqualTo("runner");
    }

    @Test
    void aWorkerThatMissedTheCancelWhileDisconnectedHonoursTheRecordOnReturn() throws Exception {
        var w = worker("sleepy", "naps", 1);
        var id = client.submit("book-workflow", "naps", Map.of("nodeMillis", 3_600_000)).runId();
        awaitStatus(id, RunStatus.RUNNING);

        w.pause();
        try (var r = redisClient()) {
            r.sendCommand(Protocol.Command.CLIENT, "KILL", "TYPE", "pubsub"); // its subscription is gone
        }
        client.cancel(id); // the publish reaches nobody; the record stays
        Thread.sleep(300);
        assertThat(run(id).status()).isEqualTo(RunStatus.RUNNING);
        w.resume();

        awaitStatus(id, RunStatus.CANCELLED);
    }

    /** How soon the runs are LOST (README: within 3 s) is RedisTimingBench's to measure. */
    @Test
    void aKilledWorkersRunsBecomeLostAndItsQueuedJobsAreDoneByAnother() throws Exception {
        var doomed = worker("doomed", "shared", 1);
        var started = client.submit("book-workflow", "shared", Map.of("nodeMillis", 3_600_000)).runId();
        awaitStatus(started, RunStatus.RUNNING);
        var queued = new ArrayList<String>();
        for (int i = 0; i < 3; i++) queued.add(client.submit("welcome-email", "shared", Map.of()).runId());

        doomed.kill9();
        var lost = awaitStatus(started, RunStatus.LOST);

        worker("survivor", "shared", 2);
        for (var id : queued) assertThat(awaitStatus(id, RunStatus.COMPLETED).worker()).isEqualTo("survivor");
        assertThat(lost.worker()).isEqualTo("doomed");
        try (var r = redisClient()) {
            assertThat(r.sismember(client.keysForTest().workers(), "doomed")).isFalse();
            assertThat(r.exists(client.keysForTest().workerRuns("doomed"))).isFalse();
        }
    }

    private static final String ORPHAN = "01a20fc6-0000-7000-8000-000000000003";

    @Test
    void poisonEntriesGoToTheDeadLetterStreamAndTheWorkerCarriesOn() throws Exception {
        var w = worker("sturdy", "poison", 1);
        try (var r = redisClient()) {
            var k = client.keysForTest();
            r.xadd(k.queue("poison"), XAddParams.xAddParams(), Map.of("garbage", "yes"));
            r.xadd(k.queue("poison"), XAddParams.xAddParams(),
                    Map.of("id", "01a20fc6-0000-7000-8000-000000000001", "graph", "no-such-graph", "queue", "poison"));
            r.xadd(k.queue("poison"), XAddParams.xAddParams(),
                    Map.of("id", "01a20fc6-0000-7000-8000-000000000002", "graph", "welcome-email", "queue", "poison", "input", "{not json"));
            // well formed, but of no run: what a worker holds when Redis comes back without its data
            r.xadd(k.queue("poison"), XAddParams.xAddParams(), Jobs.fields(new dev.tether.engine.RunRequest(ORPHAN, "welcome-email", "poison",
                    Map.of(), java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))));
        }
        var fine = client.submit("welcome-email", "poison", Map.of()).runId();
        awaitStatus(fine, RunStatus.COMPLETED); // one slot, one stream: every entry before it was dealt with
        try (var r = redisClient()) {
            assertThat(r.exists(client.keysForTest().run(ORPHAN))).as("a job with no record starts no run and creates none").isFalse();
        }

        try (var r = redisClient()) {
            var dead = r.xrange(client.keysForTest().deadLetters(), (StreamEntryID) null, null, 100);
            assertThat(dead).extracting(e -> e.getFields().get("reason"))
                    .anyMatch(reason -> reason.contains("no 'id'"))
                    .anyMatch(reason -> reason.contains("no live worker on queue 'poison' has graph 'no-such-graph'"))
                    .anyMatch(reason -> reason.contains("malformed JSON"));
        }
        for (var id : List.of("01a20fc6-0000-7000-8000-000000000001", "01a20fc6-0000-7000-8000-000000000002")) {
            // an entry without a run record leaves nothing behind; one with a record would be FAILED (see RedisFaultTest)
            assertThat(client.registry().get(id).map(RunSnapshot::status).orElse(RunStatus.FAILED)).isEqualTo(RunStatus.FAILED);
        }
        assertThat(w.process.isAlive()).isTrue();
    }

    /**
     * A busy worker reads several jobs in one round trip (RedisBench counts the reads), but only as many
     * as it has slots waiting: a job it read is pending on it, out of every other worker's reach.
     */
    @Test
    void aWorkerTakesNoMoreJobsThanItHasFreeSlotsAndLeavesTheRestForOthers() throws Exception {
        var runs = new ArrayList<String>();
        for (int i = 0; i < 8; i++) runs.add(client.submit("book-workflow", "backlog", Map.of("nodeMillis", 3_600_000)).runId());
        worker("first", "backlog", 3);
        eventuallyAcrossProcesses().until(() -> runs.stream().filter(id -> run(id).status() == RunStatus.RUNNING).count() == 3);

        var queue = client.keysForTest().queue("backlog");
        try (var r = redisClient()) {
            assertThat(r.xpending(queue, Keys.GROUP).getConsumerMessageCount())
                    .as("read by the first worker: its three running runs, nothing held back").containsExactly(Map.entry("first", 3L));
        }
        worker("second", "backlog", 5);
        for (var id : runs) awaitStatus(id, RunStatus.RUNNING);
        assertThat(runs.stream().map(id -> run(id).worker()).toList()).as("the rest went to the second worker")
                .filteredOn("first"::equals).hasSize(3);
        for (var id : runs) client.cancel(id);
        for (var id : runs) awaitStatus(id, RunStatus.CANCELLED);
    }

    /**
     * A slot still waiting for its turn to read when the worker closes takes nothing from the jobs read
     * for it: they go back to their queue for another worker, instead of being claimed only to be
     * cancelled by the shutdown.
     */
    @Test
    void aSlotWaitingItsTurnWhenTheWorkerClosesLeavesWhatWasReadForItToBeHandedBack() throws Exception {
        var settings = RedisSettings.parse(server.uri() + "?prefix=close" + System.nanoTime());
        var keys = settings.keys();
        try (var redis = server.admin(); var view = RedisView.oneShot(settings, GraphCatalog.load(null), Routing.none())) {
            var store = new RunStore(redis, keys, Duration.ofDays(1), 10_000);
            var turn = new HeldTurn();
            var source = turn.source(redis, store, List.of("q"));
            var run = view.submit("welcome-email", "q", Map.of()).runId();
            // delivered to this worker without its seeing it (a read whose reply was lost), long enough ago to be recovered
            var stream = keys.queue("q");
            var entry = redis.xreadGroup(Keys.GROUP, "w1", XReadGroupParams.xReadGroupParams().count(1),
                    Map.of(stream, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY)).getFirst().getValue().getFirst().getID();
            redis.xclaim(stream, Keys.GROUP, "w1", 0, XClaimParams.xClaimParams().idle(60_000), entry);

            var reader = Thread.ofPlatform().name("reader").start(() -> poll(source));
            turn.holding.await();
            var taken = new AtomicReference<Object>("nothing yet");
            var waiting = Thread.ofPlatform().name("waiting").start(() -> taken.set(poll(source)));
            eventuallyAcrossProcesses().until(() -> waiting.getState() == Thread.State.TIMED_WAITING); // for its turn
            assertThat(source.recoverStranded()).as("the job, in the buffer now").isEqualTo(1);

            source.close();
            waiting.join();
            turn.letGo.countDown();
            reader.join();

            assertThat(taken.get()).as("taken by the waiting slot after the close").isNull();
            assertThat(store.get(run).orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
            assertThat(source.releaseBuffered()).as("handed back").isEqualTo(1);
            assertThat(redis.xpending(stream, Keys.GROUP).getTotal()).as("pending on nobody").isZero();
            var again = redis.xreadGroup(Keys.GROUP, "w2", XReadGroupParams.xReadGroupParams().count(10),
                    Map.of(stream, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
            assertThat(again.getFirst().getValue()).as("on its queue again, for the next worker")
                    .extracting(e -> e.getFields().get("id")).containsExactly(run);
        }
    }

    /**
     * One read serves the slot whose turn it is and every slot waiting for its turn, shared among the
     * worker's queues (Redis counts per stream): four slots of a worker of two queues take four jobs,
     * two from each queue, in one read.
     */
    @Test
    void oneReadServesEverySlotWaitingItsTurnSharedAmongTheQueues() throws Exception {
        var settings = RedisSettings.parse(server.uri() + "?prefix=turns" + System.nanoTime());
        var keys = settings.keys();
        try (var redis = server.admin(); var view = RedisView.oneShot(settings, GraphCatalog.load(null), Routing.none())) {
            var turn = new HeldTurn();
            var source = turn.source(redis, new RunStore(redis, keys, Duration.ofDays(1), 10_000), List.of("a", "b"));
            for (int i = 0; i < 5; i++) for (var q : List.of("a", "b")) view.submit("welcome-email", q, Map.of());
            var jobs = java.util.Collections.synchronizedList(new ArrayList<dev.tether.engine.Job>());
            var slots = new ArrayList<Thread>();
            slots.add(Thread.ofPlatform().name("reader").start(() -> jobs.add(poll(source))));
            turn.holding.await();
            for (int i = 0; i < 3; i++) slots.add(Thread.ofPlatform().name("waiting-" + i).start(() -> jobs.add(poll(source))));
            eventuallyAcrossProcesses().until(() -> slots.stream().skip(1).allMatch(t -> t.getState() == Thread.State.TIMED_WAITING));
            long reads = RealRedis.calls(redis, "xreadgroup");
            turn.letGo.countDown();
            for (var t : slots) t.join();

            assertThat(jobs).as("a job for each slot").hasSize(4).doesNotContainNull();
            assertThat(RealRedis.calls(redis, "xreadgroup") - reads).as("reads").isEqualTo(1);
            for (var q : List.of("a", "b")) {
                assertThat(redis.xpending(keys.queue(q), Keys.GROUP).getTotal()).as("taken from queue " + q).isEqualTo(2);
            }
            source.close();
        }
    }

    /** Job sources whose first slot to read (a thread named "reader") stops on its turn, holding it, until let go. */
    private static final class HeldTurn implements java.util.function.BooleanSupplier {
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch letGo = new CountDownLatch(1);
        private final AtomicInteger readerCalls = new AtomicInteger();

        /** Asked once as a poll begins, then again once the slot has its turn (RedisRunSource.next): the second time, it waits. */
        @Override
        public boolean getAsBoolean() {
            if (Thread.currentThread().getName().equals("reader") && readerCalls.incrementAndGet() == 2) {
                holding.countDown();
                try {
                    letGo.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return true;
        }

        /** A worker "w1" that has only welcome-email and serves {@code queues}. */
        RedisRunSource source(RedisClient redis, RunStore store, List<String> queues) {
            var source = new RedisRunSource(redis, store, "w1", queues, Set.of("welcome-email"), (q, g) -> false, id -> null,
                    new Connectivity("test"), new WorkerStalls("w1"), this, id -> RedisCheckpointStore.Carried.NONE);
            source.ensureGroups();
            return source;
        }
    }

    private static dev.tether.engine.Job poll(RedisRunSource source) {
        try {
            return source.poll(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Test
    void afterCleanShutdownOnlyExpiringRunRecordsRemain() throws Exception {
        var w = worker("tidy", "tidy", 2);
        for (int i = 0; i < 5; i++) client.submit("welcome-email", "tidy", Map.of());
        var long1 = client.submit("book-workflow", "tidy", Map.of("nodeMillis", 3_600_000)).runId();
        awaitStatus(long1, RunStatus.RUNNING);
        client.cancel(long1);
        eventuallyAcrossProcesses().until(() -> client.registry().active().stream().noneMatch(r -> r.queue().equals("tidy")));
        w.close();

        try (var r = redisClient()) {
            var k = client.keysForTest();
            assertThat(r.exists(k.worker("tidy"))).isFalse();
            assertThat(r.exists(k.workerRuns("tidy"))).isFalse();
            assertThat(r.sismember(k.workers(), "tidy")).isFalse();
            for (var key : r.keys("tether:run:*")) assertThat(r.pttl(key)).as(key + " expires").isPositive();
            for (var key : r.keys("tether:cancel:*")) assertThat(r.pttl(key)).as(key + " expires").isPositive();
            eventuallyAcrossProcesses().until(() -> r.xpending(k.queue("tidy"), Keys.GROUP).getTotal() == 0);
            assertThat(r.xinfoConsumers(k.queue("tidy"), Keys.GROUP)).as("no consumer left behind").isEmpty();
        }
    }

    @Test
    void aSubmitToAQueueNoLiveWorkerServesSaysSo() throws Exception {
        var run = CliRun.of(Map.of("TETHER_LOG_LEVEL", "WARN"), "submit", "welcome-email", "--queue", "deserted", "--redis", server.uri());
        assertThat(run.exit()).isZero();
        assertThat(run.err()).contains("no live worker takes graph 'welcome-email' from queue 'deserted'");
        eventuallyAcrossProcesses().until(() -> !client.registry().select(r -> r.queue().equals("deserted")).isEmpty());
        for (var r : client.registry().select(r -> r.queue().equals("deserted"))) {
            assertThat(client.cancel(r.runId())).isEqualTo(CancelOutcome.CANCELLED_BEFORE_START); // queued, not lost
        }
    }

    @Test
    void redisRestartedMidRunEveryoneReconnectsAndTheRunIsStillUnderControl() throws Exception {
        worker("steady", "steady", 1);
        var id = client.submit("book-workflow", "steady", Map.of("nodeMillis", 3_600_000)).runId();
        awaitStatus(id, RunStatus.RUNNING);

        server.restart(); // comes back empty
        eventuallyAcrossProcesses().until(() -> client.connected());
        try (var fresh = RedisView.live(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none())) {
            eventuallyAcrossProcesses().until(() -> fresh.registry().get(id).map(RunSnapshot::status).orElse(null) == RunStatus.RUNNING);
        }
        assertThat(client.cancel(id)).isEqualTo(CancelOutcome.CANCELLING);
        awaitStatus(id, RunStatus.CANCELLED);
        var after = client.submit("welcome-email", "steady", Map.of()).runId(); // its consumer group was recreated
        awaitStatus(after, RunStatus.COMPLETED);
    }

    @Test
    void aRejectedJobFailsWithTheReasonButAnEntryWrittenByAnyoneElseFailsNothing() throws Exception {
        worker("picky", "picky", 1);
        var id = client.submit("welcome-email", "picky", Map.of()).runId();
        awaitStatus(id, RunStatus.COMPLETED);
        // an entry naming a queued run of another queue, written by hand: dead-lettered, and the run stays QUEUED
        var victim = client.submit("welcome-email", "nobody-reads-this", Map.of()).runId();
        try (var r = redisClient()) {
            r.xadd(client.keysForTest().queue("picky"), XAddParams.xAddParams(),
                    Map.of("id", victim, "graph", "welcome-email", "queue", "picky", "input", "[1, 2]"));
        }
        // a job as the submit script writes it, for a graph no live worker has: its run is FAILED, saying why
        try (var admin = redisClient()) {
            var store = new RunStore(admin, client.keysForTest(), Duration.ofDays(1), 10_000);
            var request = new dev.tether.engine.RunRequest(dev.tether.run.RunIds.next(), "no-such-graph", "picky", Map.of(),
                    java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
            store.submit(dev.tether.run.RunStateMachine.apply(null, request.submitted()), client.keysForTest().queue("picky"), Jobs.fields(request));
            var failed = awaitStatus(request.runId(), RunStatus.FAILED);
            assertThat(failed.error().message()).isEqualTo("no live worker on queue 'picky' has graph 'no-such-graph'");
            assertThat(failed.startedAt()).isNull();
            try (var r = redisClient()) { // the hand-written entry came first on the stream: it was dead-lettered before
                assertThat(r.xrange(client.keysForTest().deadLetters(), (StreamEntryID) null, null, 100))
                        .anyMatch(e -> victim.equals(e.getFields().get("id")) && e.getFields().get("reason").contains("input"));
            }
            assertThat(store.get(victim).orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
            assertThat(client.cancel(victim)).isEqualTo(CancelOutcome.CANCELLED_BEFORE_START);
        }
    }

    @Test
    void aOneShotViewSubscribesToNothingAndSweepsNothing() {
        var before = tetherRedisThreads();
        try (var once = RedisView.oneShot(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none())) {
            var id = once.submit("welcome-email", "one-shot", Map.of()).runId();
            assertThat(once.registry().get(id)).isPresent();
            assertThat(tetherRedisThreads()).as("no subscriber, no sweep: no thread of its own").isEqualTo(before);
            assertThat(once.cancel(id)).isEqualTo(CancelOutcome.CANCELLED_BEFORE_START);
            assertThat(once.connected()).isTrue();
        }
    }

    @Test
    void installationsWithTheirOwnPrefixShareOneRedisWithoutSeeingEachOther() throws Exception {
        var acmeUri = server.uri() + "?prefix=acme";
        var w = WorkerProcess.start(acmeUri, "acme-1", "shared-name", 1);
        workers.add(w);
        try (var acme = RedisView.live(RedisSettings.parse(acmeUri), GraphCatalog.load(null), Routing.none())) {
            var id = acme.submit("welcome-email", "shared-name", Map.of()).runId();
            eventuallyAcrossProcesses().until(() -> acme.registry().get(id).map(RunSnapshot::status).orElse(null) == RunStatus.COMPLETED);
            assertThat(client.registry().get(id)).as("the default installation does not see it").isEmpty();
            assertThat(client.workers()).extracting(i -> i.name()).doesNotContain("acme-1");
            try (var r = redisClient()) {
                assertThat(r.exists("acme:run:" + id)).isTrue();
                assertThat(r.exists("tether:run:" + id)).isFalse();
            }
        }
    }

    /** The after-node run is held in its node by a gate file until the test has seen it stay CANCELLING. */
    @Test
    void theStopLevelTravelsToTheWorker(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        workers.add(WorkerProcess.start(server.uri(), "levels", "levels", 2, "--isolation", "process"));
        var gate = dir.resolve("n1-may-end");
        var gentle = client.submit("counted", "levels", Map.of("holdAt", "n1", "gate", gate.toString())).runId();
        var deaf = client.submit("stubborn", "levels", Map.of("seconds", 3_600)).runId();
        eventuallyAcrossProcesses().until(() -> client.registry().get(gentle).map(RunSnapshot::currentNode).orElse("").equals("n1")
                && client.registry().get(deaf).map(RunSnapshot::currentNode).orElse("").equals("ignore-cancel"));

        assertThat(client.cancel(gentle, dev.tether.run.CancelRequest.of(dev.tether.run.StopLevel.AFTER_NODE))).isEqualTo(CancelOutcome.CANCELLING);
        assertThat(client.cancel(deaf, dev.tether.run.CancelRequest.of(dev.tether.run.StopLevel.KILL))).isEqualTo(CancelOutcome.CANCELLING);

        var killed = awaitStatus(deaf, RunStatus.CANCELLED);
        assertThat(killed.forced()).as("killed in its child JVM").isTrue();
        awaitStatus(gentle, RunStatus.CANCELLING); // written within the worker's hold (a kill may be quicker)
        assertThat(run(gentle).status()).as("after-node: its node is let run").isEqualTo(RunStatus.CANCELLING);
        java.nio.file.Files.createFile(gate);
        var afterNode = awaitStatus(gentle, RunStatus.CANCELLED);
        assertThat(afterNode.steps()).as("the node in progress was let finish").isEqualTo(1);
        assertThat(afterNode.cancelledAtNode()).isEqualTo("n1");
        assertThat(afterNode.forced()).isFalse();
    }

    private static long tetherRedisThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("tether-redis")).count();
    }

    private static RedisClient redisClient() {
        return RedisClient.create("127.0.0.1", server.port);
    }
}
