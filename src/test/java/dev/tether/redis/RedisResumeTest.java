package dev.tether.redis;

import dev.tether.testing.Hang;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.CheckpointInfo;
import dev.tether.run.CancelMode;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.RedisClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Checkpoints in Redis and resume on any worker, against a real redis-server and real worker
 * processes. Executions are counted by {@link CountingGraph}: each node logs when it starts.
 */
@Tag("process")
class RedisResumeTest {
    static RealRedis server;
    RedisView client;
    Path log;
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
    void connect() throws Exception {
        log = Files.createTempFile(Files.createDirectories(Path.of("target", "redis-workers")), "resume", ".log");
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new CountingGraph());
        client = RedisView.live(RedisSettings.parse(server.uri()), GraphCatalog.of(graphs), Routing.none());
    }

    @AfterEach
    void disconnect() throws Exception {
        for (var w : workers) w.close();
        client.close();
    }

    private WorkerProcess worker(String name, String queue) throws Exception {
        var w = WorkerProcess.start(server.uri(), name, queue, 1);
        workers.add(w);
        return w;
    }

    /**
     * A counted run held in {@code holdAt} until {@link #open} is called for its tag: the test acts while
     * it is there, however slow the machine. Its resumed attempts carry the same input, and pass once open.
     */
    private String counted(String queue, String tag, String holdAt) {
        return client.submit("counted", queue, Map.of("log", log.toString(), "tag", tag, "holdAt", holdAt, "gate", gate(tag).toString())).runId();
    }

    private Path gate(String tag) {
        return log.resolveSibling(log.getFileName() + "." + tag + ".open");
    }

    private void open(String tag) throws Exception {
        Files.createFile(gate(tag));
    }

    private RunSnapshot awaitStatus(String id, RunStatus status) {
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> client.registry().get(id).map(RunSnapshot::status).orElse(null) == status);
        return client.registry().get(id).orElseThrow();
    }

    private void awaitNode(String id, String node) {
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> node.equals(client.registry().get(id).map(RunSnapshot::currentNode).orElse(null)));
    }

    /** How often each node of the runs tagged {@code tag} started. */
    private Map<String, Long> starts(String tag) throws Exception {
        var out = new java.util.TreeMap<String, Long>();
        CountingGraph.read(log).getOrDefault(tag, List.of()).forEach(n -> out.merge(n[0], 1L, Long::sum));
        return out;
    }

    @Test
    void aLostRunResumesOnAnotherWorkerAndOnlyTheNodesAfterItsLastCheckpointRunAgain() throws Exception {
        var first = worker("first", "resumable");
        var id = counted("resumable", "r", "n3");
        awaitNode(id, "n3");
        first.kill9();
        var lost = awaitStatus(id, RunStatus.LOST);
        assertThat(client.checkpoints(id)).extracting(CheckpointInfo::node).containsExactly("__START__", "n1", "n2");

        open("r");
        worker("second", "resumable");
        var again = client.resume(lost.runId(), null);
        assertThat(again.resumeOf().runId()).isEqualTo(id);
        var done = awaitStatus(again.runId(), RunStatus.COMPLETED);

        assertThat(done.worker()).isEqualTo("second");
        assertThat(starts("r")).containsExactly(Map.entry("n1", 1L), Map.entry("n2", 1L), Map.entry("n3", 2L),
                Map.entry("n4", 1L), Map.entry("n5", 1L));
        assertThat(client.attempts(again.runId())).extracting(RunSnapshot::runId).containsExactly(id, again.runId());
        try (var r = RedisClient.create("127.0.0.1", server.port)) { // a completed attempt keeps no checkpoints
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> !r.exists(client.keysForTest().checkpoints(again.runId())));
        }
    }

    /**
     * A rollback answered while the run still shows RUNNING on a worker that is already dead: the run
     * becomes LOST, not CANCELLED (its worker's finish never comes), and loses its checkpoints all the
     * same; nothing is left to resume. Found by the Redis soak (a worker SIGKILLed under a run that was
     * then rolled back, and resumed).
     */
    @Test
    void aRollbackOfARunWhoseWorkerDiedLeavesNothingToResumeOnceItIsLost() throws Exception {
        var doomed = worker("doomed", "rollback-lost");
        var id = counted("rollback-lost", "rl", "n3");
        awaitNode(id, "n3");
        doomed.kill9();
        assertThat(client.cancel(id, CancelRequest.DEFAULT.withMode(CancelMode.ROLLBACK)))
                .as("still RUNNING as far as Redis knows").isEqualTo(dev.tether.run.CancelOutcome.CANCELLING);
        awaitStatus(id, RunStatus.LOST);

        assertThat(client.checkpoints(id)).isEmpty();
        assertThatThrownBy(() -> client.resume(id, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no checkpoints");
    }

    /**
     * A rollback its worker saw holds there although Redis loses the rollback record before the run
     * ends (a restart without its data, as the Redis soak met it): the checkpoint the run makes after
     * the cancel, at the end of the node it was in, never reaches Redis, and nothing is left to
     * resume. The loss is staged here by deleting what an empty restart would lose of this run. The
     * worker knows it is a rollback from the request itself, or, from an older client whose request does
     * not say, from the rollback record it reads when the request arrives.
     */
    @ParameterizedTest(name = "asked by {0} client")
    @ValueSource(strings = {"a", "an older"})
    void aRollbackTheWorkerSawHoldsWhenRedisLosesTheRecordBeforeTheRunEnds(String asker) throws Exception {
        worker("holder", "rollback-kept");
        var id = counted("rollback-kept", "rk", "n3");
        awaitNode(id, "n3");
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> client.checkpoints(id).size() == 3); // __START__, n1, n2: written
        // after the node: n3 ends as usual, its checkpoint is made, and the run stops at the boundary
        var rollback = new CancelRequest(StopLevel.AFTER_NODE, null, CancelMode.ROLLBACK, null);
        if (asker.equals("a")) {
            client.cancel(id, rollback);
        } else try (var r = RedisClient.create("127.0.0.1", server.port)) { // as an older client asked: the record, then a cancel that does not say
            var k = client.keysForTest();
            r.set(k.rollback(id), "1");
            new CancelRequests(r, k).record(id, new CancelRequests.Ask(StopLevel.AFTER_NODE, null, null), false, null);
        }
        awaitStatus(id, RunStatus.CANCELLING); // written by the worker, once its engine had the cancel (and knew it a rollback)
        try (var r = RedisClient.create("127.0.0.1", server.port)) {
            var k = client.keysForTest();
            assertThat(r.del(k.rollback(id), k.checkpoints(id))).isEqualTo(2L);
        }
        open("rk");
        awaitStatus(id, RunStatus.CANCELLED);

        assertThat(starts("rk")).containsEntry("n3", 1L).doesNotContainKey("n4");
        assertThat(client.checkpoints(id)).isEmpty();
        assertThatThrownBy(() -> client.resume(id, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no checkpoints");
    }

    /**
     * The worker takes a request's mode from the request: a rollback said there holds without any rollback
     * record (here none was ever set): the checkpoint the run makes after it never reaches Redis. (The
     * record is what tells the run's end to delete those written before: a view always sets it.)
     */
    @Test
    void aRollbackSaidInTheRequestHoldsOnItsWorkerWithoutItsRecord() throws Exception {
        worker("told", "rollback-said");
        var id = counted("rollback-said", "rs", "n3");
        awaitNode(id, "n3");
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> client.checkpoints(id).size() == 3);
        try (var r = RedisClient.create("127.0.0.1", server.port)) {
            new CancelRequests(r, client.keysForTest()).request(id, new CancelRequest(StopLevel.AFTER_NODE, null, CancelMode.ROLLBACK, null));
        }
        awaitStatus(id, RunStatus.CANCELLING);
        open("rs");
        awaitStatus(id, RunStatus.CANCELLED);

        assertThat(starts("rs")).containsEntry("n3", 1L).doesNotContainKey("n4");
        assertThat(client.checkpoints(id)).extracting(CheckpointInfo::node).as("n3's, made after the rollback, is not there")
                .containsExactly("__START__", "n1", "n2");
    }

    /**
     * A worker that keeps no checkpoints has none to roll back: a rollback asked of its run stops the run
     * all the same (its engine refuses a rollback it cannot do, and the run would go on).
     */
    @Test
    void aRollbackOfARunOnAWorkerWithoutCheckpointsStopsItAllTheSame() throws Exception {
        workers.add(WorkerProcess.start(server.uri(), "no-checkpoints", "rollback-none", 1, "--checkpoints", "off"));
        var id = counted("rollback-none", "rn", "n2");
        awaitNode(id, "n2");
        client.cancel(id, CancelRequest.DEFAULT.withMode(CancelMode.ROLLBACK));
        awaitStatus(id, RunStatus.CANCELLED);

        assertThat(starts("rn")).doesNotContainKey("n3");
        assertThat(client.checkpoints(id)).isEmpty();
    }

    /**
     * A cancel says whether it is a rollback, so its worker acts on it without a read of its own: one round
     * trip fewer between the request and the run's stop. A cancel from an older client does not say: its
     * worker reads the run's rollback record first.
     */
    @Test
    void aCancelThatSaysItsModeCostsItsWorkerNoRead() throws Exception {
        worker("reader", "mode-said");
        var k = client.keysForTest();
        try (var r = RedisClient.create("127.0.0.1", server.port)) {
            var said = counted("mode-said", "said", "n2");
            awaitNode(said, "n2");
            List<String> sent;
            try (var monitor = Monitor.of(server, r)) {
                client.cancel(said, CancelRequest.DEFAULT);
                awaitStatus(said, RunStatus.CANCELLED);
                sent = monitor.commandsSent();
            }
            assertThat(sent).doesNotContain("EXISTS " + k.rollback(said));

            var unsaid = counted("mode-said", "unsaid", "n2");
            awaitNode(unsaid, "n2");
            try (var monitor = Monitor.of(server, r)) {
                new CancelRequests(r, k).record(unsaid, new CancelRequests.Ask(StopLevel.CANCEL, null, null), false, null);
                awaitStatus(unsaid, RunStatus.CANCELLED);
                sent = monitor.commandsSent();
            }
            assertThat(sent).contains("EXISTS " + k.rollback(unsaid));
        }
    }

    @Test
    void resumeFromAnEarlierNodeAndRollbackWhichLeavesNothingToResume() throws Exception {
        worker("solo", "modes");
        var id = counted("modes", "m", "n4");
        awaitNode(id, "n4");
        client.cancel(id, CancelRequest.DEFAULT);
        awaitStatus(id, RunStatus.CANCELLED);

        var again = client.resume(id, "n1"); // held in n4 again
        awaitNode(again.runId(), "n4");
        client.cancel(again.runId(), CancelRequest.DEFAULT.withMode(CancelMode.ROLLBACK));
        awaitStatus(again.runId(), RunStatus.CANCELLED);

        assertThat(starts("m")).containsExactly(Map.entry("n1", 1L), Map.entry("n2", 2L), Map.entry("n3", 2L), Map.entry("n4", 2L));
        assertThat(client.checkpoints(again.runId())).isEmpty();
        assertThatThrownBy(() -> client.resume(again.runId(), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no checkpoints");
        assertThat(client.checkpoints(id)).as("the first attempt keeps its own").isNotEmpty();
    }

    @Test
    void aCancelledRunsCheckpointsExpireWithItsRecordCountedFromItsEnd() throws Exception {
        worker("keeper", "kept");
        var id = counted("kept", "k", "n3");
        awaitNode(id, "n3");
        var k = Keys.standard();
        try (var admin = server.admin()) {
            // as if the node had run for most of a day since the last checkpoint was written
            admin.pexpire(k.checkpoints(id), 5_000);
            admin.pexpire(k.checkpointBytes(id), 5_000);
            client.cancel(id, CancelRequest.DEFAULT);
            awaitStatus(id, RunStatus.CANCELLED);
            long record = admin.pttl(k.run(id));
            assertThat(record).as("the run's record, from its end").isGreaterThan(java.time.Duration.ofHours(23).toMillis());
            for (var key : List.of(k.checkpoints(id), k.checkpointBytes(id))) {
                assertThat(admin.pttl(key)).as(key).isBetween(record - 60_000, record + 60_000);
            }
        }
        assertThat(client.checkpoints(id)).isNotEmpty();
    }

    @Test
    void aDamagedCheckpointIsReportedForItsRunAndNeverResumedFrom() throws Exception {
        worker("careful", "damaged");
        var id = counted("damaged", "d", "n4");
        awaitNode(id, "n4");
        client.cancel(id);
        awaitStatus(id, RunStatus.CANCELLED);
        try (var r = RedisClient.create("127.0.0.1", server.port)) {
            var key = client.keysForTest().checkpoints(id);
            var entry = r.lindex(key, 3); // after n3
            r.lset(key, 3, entry.replace("\"state\":\"{", "\"state\":\"{\\\"x\\\":1,")); // checksum no longer matches
            r.lset(key, 2, "{not json");
        }
        var described = client.checkpoints(id);
        assertThat(described).hasSize(4);
        assertThat(described.get(2).error()).startsWith("not JSON");
        assertThat(described.get(3).error()).contains("checksum mismatch");
        assertThatThrownBy(() -> client.resume(id, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unreadable").hasMessageContaining("__START__, n1");

        open("d");
        var again = client.resume(id, "n1");
        awaitStatus(again.runId(), RunStatus.COMPLETED);
        assertThat(starts("d")).containsEntry("n2", 2L).containsEntry("n5", 1L).containsEntry("n1", 1L);
    }
}
