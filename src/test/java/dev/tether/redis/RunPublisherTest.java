package dev.tether.redis;

import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a worker writes of its runs' local changes, against a real Redis: a running run's progress
 * waits in the worker's feed (tested there: {@code PatientFeedTest}) and only its newest state is
 * written; every other change it writes wakes the feed at once; a run that ends with its job costs no
 * write between its claim and its end.
 */
class RunPublisherTest {
    private RealRedis server;
    private RedisClient admin;
    private RunStore store;
    private final Keys keys = Keys.standard();
    private final List<String> stoppedHere = new ArrayList<>();
    private RunPublisher publisher;

    @BeforeEach
    void start() throws Exception {
        server = RealRedis.start();
        admin = server.admin();
        store = new RunStore(admin, keys, Duration.ofDays(1), 10_000);
        publisher = new RunPublisher(store, new Connectivity("test"), stoppedHere::add, () -> {});
    }

    @AfterEach
    void stop() throws Exception {
        admin.close();
        server.close();
    }

    /** A run as a worker has it right after its claim: RUNNING at version 2, in Redis too. */
    private RunSnapshot claimed() {
        var id = RunIds.next();
        var queued = RunStateMachine.apply(null, new RunEvent.Submitted(id, "g", "q", Map.of(), Instant.now()));
        assertThat(store.submit(queued, keys.queue("q"), Map.of("id", id))).isTrue();
        var running = RunStateMachine.apply(queued, new RunEvent.Started(id, "w1", Instant.now()));
        assertThat(store.claim(running, "w1", "1-0").outcome()).isEqualTo(RunStore.Claim.Outcome.STARTED);
        return running;
    }

    private static RunSnapshot then(RunSnapshot s, RunEvent e) {
        return RunStateMachine.apply(s, e);
    }

    private RunSnapshot inRedis(RunSnapshot s) {
        return store.get(s.runId()).orElseThrow();
    }

    @Test
    void onlyStatusChangesThatTheJobDoesNotRecordWakeTheFeedAtOnce() {
        var run = claimed();
        var a = then(run, new RunEvent.NodeStarted(run.runId(), "a", Instant.now()));
        assertThat(RunPublisher.writesAtOnce(run)).as("the claim wrote it").isFalse();
        assertThat(RunPublisher.writesAtOnce(a)).as("progress waits").isFalse();
        assertThat(RunPublisher.writesAtOnce(then(a, new RunEvent.Completed(run.runId(), Instant.now()))))
                .as("the job's finish records the end").isFalse();
        assertThat(RunPublisher.writesAtOnce(then(a, new RunEvent.Failed(run.runId(), new dev.tether.run.ErrorInfo("E", "boom", ""), Instant.now())))).isFalse();
        var cancelling = then(a, new RunEvent.CancelRequested(run.runId(), Instant.now()));
        assertThat(RunPublisher.writesAtOnce(cancelling)).as("a run that stops within the hold is written once, at its end").isFalse();
        assertThat(RunPublisher.writesAtOnce(then(cancelling, new RunEvent.Cancelled(run.runId(), "a", Instant.now())))).isFalse();
        assertThat(RunPublisher.writesAtOnce(then(a, new RunEvent.Lost(run.runId(), "gone", Instant.now()))))
                .as("LOST's job may end much later, or never").isTrue();
        assertThat(RunPublisher.writesAtOnce(then(cancelling, new RunEvent.Stuck(run.runId(), "a", Instant.now())))).isTrue();
    }

    @Test
    void progressIsWrittenAsTheFeedDeliversIt() {
        var run = claimed();
        var a = then(run, new RunEvent.NodeStarted(run.runId(), "a", Instant.now()));
        var aDone = then(a, new RunEvent.NodeFinished(run.runId(), "a", true, Instant.now()));
        var b = then(aDone, new RunEvent.NodeStarted(run.runId(), "b", Instant.now()));

        publisher.publish(List.of(b)); // the feed keeps the newest of each run
        assertThat(inRedis(run).version()).isEqualTo(b.version());
        assertThat(inRedis(run).currentNode()).isEqualTo("b");
        assertThat(stoppedHere).isEmpty();
    }

    /**
     * A view never sees a node before the checkpoint it starts from is in Redis: a write of progress
     * writes the queued checkpoints first (a worker killed right after a view saw node b still leaves
     * the checkpoint after a for a resume). The store's own timer is never run here.
     */
    @Test
    void progressIsWrittenAfterTheCheckpointsQueuedBeforeIt() {
        var checkpoints = new RedisCheckpointStore(admin, keys, Duration.ofDays(1), RedisCheckpointStore.Limits.DEFAULT, r -> {});
        publisher = new RunPublisher(store, new Connectivity("test"), stoppedHere::add, checkpoints::flush);
        var run = claimed();
        var a = then(run, new RunEvent.NodeStarted(run.runId(), "a", Instant.now()));
        var aDone = then(a, new RunEvent.NodeFinished(run.runId(), "a", true, Instant.now()));
        checkpoints.put(org.bsc.langgraph4j.RunnableConfig.builder().threadId(run.runId()).build(),
                org.bsc.langgraph4j.checkpoint.Checkpoint.builder().nodeId("a").nextNodeId("b").state(Map.of("k", "v")).build());
        assertThat(checkpoints.describe(run.runId())).as("queued, not written yet").isEmpty();
        var b = then(aDone, new RunEvent.NodeStarted(run.runId(), "b", Instant.now()));

        publisher.publish(List.of(b));
        assertThat(inRedis(run).currentNode()).isEqualTo("b");
        assertThat(checkpoints.describe(run.runId())).extracting(dev.tether.engine.CheckpointInfo::node).containsExactly("a");
    }

    @Test
    void aStatusChangeIsWritten() {
        var run = claimed();
        var a = then(run, new RunEvent.NodeStarted(run.runId(), "a", Instant.now()));
        var cancelling = then(a, new RunEvent.CancelRequested(run.runId(), Instant.now()));
        publisher.publish(List.of(cancelling));

        assertThat(inRedis(run).status()).isEqualTo(RunStatus.CANCELLING);
        assertThat(inRedis(run).version()).isEqualTo(cancelling.version());
        assertThat(stoppedHere).isEmpty();
    }

    @Test
    void aRunThatEndsWithItsJobCostsNoWriteBetweenItsClaimAndItsEnd() {
        var run = claimed();
        var a = then(run, new RunEvent.NodeStarted(run.runId(), "a", Instant.now()));
        var aDone = then(a, new RunEvent.NodeFinished(run.runId(), "a", true, Instant.now()));
        var done = then(aDone, new RunEvent.Completed(run.runId(), Instant.now()));

        publisher.publish(List.of(done)); // its progress waited in the feed, and the end superseded it there
        publisher.publish(List.of(run)); // the claim's own state, delivered late

        assertThat(inRedis(run).version()).as("the end is the job's finish to write, with its acknowledgement")
                .isEqualTo(run.version());
    }

    @Test
    void progressOfARunThatEndedInRedisStopsItHere() {
        var run = claimed();
        var a = then(run, new RunEvent.NodeStarted(run.runId(), "a", Instant.now()));
        // declared LOST in Redis while the worker went on (cut off, then back)
        assertThat(store.put(then(run, new RunEvent.Lost(run.runId(), "worker gone", Instant.now()))))
                .isEqualTo(RunStore.Put.ACCEPTED);
        publisher.publish(List.of(a));
        assertThat(stoppedHere).containsExactly(run.runId());
        assertThat(inRedis(run).status()).isEqualTo(RunStatus.LOST);
    }

    @Test
    void progressRedisCannotTakeNowIsKeptAndWrittenLater() throws Exception {
        var run = claimed();
        var a = then(run, new RunEvent.NodeStarted(run.runId(), "a", Instant.now()));
        server.stop();
        publisher.publish(List.of(a));
        assertThat(publisher.stall()).as("not a stall yet: it has only just failed").isNull();
        server.startAgain(); // empty: the record is written again from what the worker holds
        // the pool's connections died with the server: a write on one fails and keeps what it had, as before
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            publisher.republish();
            return true;
        });
        assertThat(inRedis(run).version()).isEqualTo(a.version());
    }
}
