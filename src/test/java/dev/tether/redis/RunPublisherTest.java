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
 * What a worker writes of its runs' local changes, against a real Redis: a running run's progress is
 * held and written once, newest first; every other change is written at once and supersedes what was
 * held; a run that ends with its job costs no write between its claim and its end. The hold's timer
 * is the test's own queue here, so that nothing depends on timing.
 */
class RunPublisherTest {
    private RealRedis server;
    private RedisClient admin;
    private RunStore store;
    private final Keys keys = Keys.standard();
    private final List<Runnable> scheduled = new ArrayList<>();
    private final List<String> stoppedHere = new ArrayList<>();
    private RunPublisher publisher;

    @BeforeEach
    void start() throws Exception {
        server = RealRedis.start();
        admin = server.admin();
        store = new RunStore(admin, keys, Duration.ofDays(1), 10_000);
        publisher = new RunPublisher(store, new Connectivity("test"), stoppedHere::add, scheduled::add, () -> {});
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

    private void runScheduled() {
        var due = List.copyOf(scheduled);
        scheduled.clear();
        due.forEach(Runnable::run);
    }

    @Test
    void progressIsHeldThenOnlyTheNewestIsWrittenOnce() {
        var run = claimed();
        var a = then(run, new RunEvent.NodeStarted(run.runId(), "a", Instant.now()));
        var aDone = then(a, new RunEvent.NodeFinished(run.runId(), "a", true, Instant.now()));
        var b = then(aDone, new RunEvent.NodeStarted(run.runId(), "b", Instant.now()));

        publisher.publish(List.of(a));
        publisher.publish(List.of(aDone, b));

        assertThat(inRedis(run).version()).as("nothing written yet").isEqualTo(run.version());
        assertThat(scheduled).as("one write scheduled for all that is held").hasSize(1);
        runScheduled();
        assertThat(inRedis(run).version()).isEqualTo(b.version());
        assertThat(inRedis(run).currentNode()).isEqualTo("b");

        var bDone = then(b, new RunEvent.NodeFinished(run.runId(), "b", true, Instant.now()));
        publisher.publish(List.of(bDone));
        assertThat(scheduled).as("held again after the last write: a new one is scheduled").hasSize(1);
        runScheduled();
        assertThat(inRedis(run).version()).isEqualTo(bDone.version());
    }

    /**
     * A view never sees a node before the checkpoint it starts from is in Redis: the write of held
     * progress writes the queued checkpoints first (a worker killed right after a view saw node b still
     * leaves the checkpoint after a for a resume). The store's own timer is never run here.
     */
    @Test
    void heldProgressIsWrittenAfterTheCheckpointsQueuedBeforeIt() {
        var checkpoints = new RedisCheckpointStore(admin, keys, Duration.ofDays(1), RedisCheckpointStore.Limits.DEFAULT, r -> {});
        publisher = new RunPublisher(store, new Connectivity("test"), stoppedHere::add, scheduled::add, checkpoints::flush);
        var run = claimed();
        var a = then(run, new RunEvent.NodeStarted(run.runId(), "a", Instant.now()));
        var aDone = then(a, new RunEvent.NodeFinished(run.runId(), "a", true, Instant.now()));
        checkpoints.put(org.bsc.langgraph4j.RunnableConfig.builder().threadId(run.runId()).build(),
                org.bsc.langgraph4j.checkpoint.Checkpoint.builder().nodeId("a").nextNodeId("b").state(Map.of("k", "v")).build());
        var b = then(aDone, new RunEvent.NodeStarted(run.runId(), "b", Instant.now()));
        publisher.publish(List.of(a, aDone, b));
        assertThat(checkpoints.describe(run.runId())).as("queued, not written yet").isEmpty();

        runScheduled();
        assertThat(inRedis(run).currentNode()).isEqualTo("b");
        assertThat(checkpoints.describe(run.runId())).extracting(dev.tether.engine.CheckpointInfo::node).containsExactly("a");
    }

    @Test
    void aStatusChangeIsWrittenAtOnceAndSupersedesHeldProgress() {
        var run = claimed();
        var a = then(run, new RunEvent.NodeStarted(run.runId(), "a", Instant.now()));
        publisher.publish(List.of(a));
        var cancelling = then(a, new RunEvent.CancelRequested(run.runId(), Instant.now()));
        publisher.publish(List.of(cancelling));

        assertThat(inRedis(run).status()).isEqualTo(RunStatus.CANCELLING);
        assertThat(inRedis(run).version()).isEqualTo(cancelling.version());
        runScheduled(); // the held progress was dropped: nothing older is written over it
        assertThat(inRedis(run).version()).isEqualTo(cancelling.version());
        assertThat(stoppedHere).isEmpty();
    }

    @Test
    void aRunThatEndsWithItsJobCostsNoWriteBetweenItsClaimAndItsEnd() {
        var run = claimed();
        var a = then(run, new RunEvent.NodeStarted(run.runId(), "a", Instant.now()));
        var aDone = then(a, new RunEvent.NodeFinished(run.runId(), "a", true, Instant.now()));
        var done = then(aDone, new RunEvent.Completed(run.runId(), Instant.now()));

        publisher.publish(List.of(a));
        publisher.publish(List.of(aDone, done));
        runScheduled();

        assertThat(inRedis(run).version()).as("the end is the job's finish to write, with its acknowledgement")
                .isEqualTo(run.version());
    }

    @Test
    void heldProgressOfARunThatEndedInRedisStopsItHere() {
        var run = claimed();
        var a = then(run, new RunEvent.NodeStarted(run.runId(), "a", Instant.now()));
        // declared LOST in Redis while the worker went on (cut off, then back)
        assertThat(store.put(then(run, new RunEvent.Lost(run.runId(), "worker gone", Instant.now()))))
                .isEqualTo(RunStore.Put.ACCEPTED);
        publisher.publish(List.of(a));
        runScheduled();
        assertThat(stoppedHere).containsExactly(run.runId());
        assertThat(inRedis(run).status()).isEqualTo(RunStatus.LOST);
    }

    @Test
    void progressRedisCannotTakeNowIsKeptAndWrittenLater() throws Exception {
        var run = claimed();
        var a = then(run, new RunEvent.NodeStarted(run.runId(), "a", Instant.now()));
        publisher.publish(List.of(a));
        server.stop();
        runScheduled();
        assertThat(scheduled).isEmpty();
        server.startAgain(); // empty: the record is written again from what the worker holds
        // the pool's connections died with the server: a write on one fails and keeps what it had, as before
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            publisher.republish();
            return true;
        });
        assertThat(inRedis(run).version()).isEqualTo(a.version());
    }
}
