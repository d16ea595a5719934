package dev.tether.redis;

import dev.tether.engine.CheckpointInfo;
import dev.tether.testing.Hang;
import dev.tether.run.ErrorInfo;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.checkpoint.Checkpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The bounds, the fence and the write-behind of checkpoints in a real redis-server. */
@Tag("process")
class RedisCheckpointStoreTest {
    static RealRedis server;
    static redis.clients.jedis.UnifiedJedis redis;

    @BeforeAll
    static void start() throws Exception {
        server = RealRedis.start();
        redis = RedisSettings.parse(server.uri()).client("checkpoint-test", 2);
    }

    @AfterAll
    static void stop() throws Exception {
        redis.close();
        server.close();
    }

    /** A checkpoint queued, then written as the hold's flush writes it. */
    private static void put(RedisCheckpointStore store, String runId, String node, int bytes) {
        queue(store, runId, node, bytes);
        store.flush();
    }

    private static void queue(RedisCheckpointStore store, String runId, String node, int bytes) {
        store.put(RunnableConfig.builder().threadId(runId).build(),
                Checkpoint.builder().nodeId(node).nextNodeId("next").state(Map.of("text", "x".repeat(bytes))).build());
    }

    private static long scriptCalls() {
        return RealRedis.calls(redis, "evalsha");
    }

    @Test
    void aRunKeepsItsNewestCheckpointsWithinItsCountAndBytes() {
        var store = new RedisCheckpointStore(redis, Keys.standard(), Duration.ofMinutes(5), new RedisCheckpointStore.Limits(3, 10_000));
        for (var node : new String[]{"a", "b", "c", "d", "e"}) put(store, "counted", node, 10);
        assertThat(store.describe("counted")).extracting(CheckpointInfo::node).containsExactly("c", "d", "e");

        for (var node : new String[]{"a", "b", "c"}) put(store, "sized", node, 4_000); // three of ~4 KB > 10,000 bytes
        assertThat(store.describe("sized")).extracting(CheckpointInfo::node).containsExactly("b", "c");
        put(store, "huge", "a", 20_000); // larger than the bound alone: the newest always stays
        assertThat(store.describe("huge")).extracting(CheckpointInfo::node).containsExactly("a");
        assertThat(redis.pttl(Keys.standard().checkpoints("sized"))).isPositive();
    }

    @Test
    void nothingIsWrittenForARunRecordedTerminal() {
        var store = new RedisCheckpointStore(redis, Keys.standard(), Duration.ofMinutes(5), RedisCheckpointStore.Limits.DEFAULT);
        put(store, "ended", "a", 10);
        redis.hset(Keys.standard().run("ended"), "t", "1");
        put(store, "ended", "b", 10);
        assertThat(store.describe("ended")).extracting(CheckpointInfo::node).containsExactly("a");
    }

    /**
     * The finish script, which a worker retries until it gets through, deletes a completed run's
     * checkpoints in the step that records its end, even when Redis had its end already (the worker's
     * shutdown writes its runs' ends first); an end Redis recorded otherwise (LOST) keeps them for a resume.
     */
    @Test
    void theFinishOfACompletedRunDeletesItsCheckpointsAndOneRecordedLostKeepsThem() {
        var keys = Keys.standard();
        var store = new RedisCheckpointStore(redis, keys, Duration.ofMinutes(5), RedisCheckpointStore.Limits.DEFAULT);
        var runs = new RunStore(redis, keys, Duration.ofMinutes(5), 100);
        var completed = running("w-1");
        put(store, completed.runId(), "a", 10);
        var end = RunStateMachine.apply(completed, new RunEvent.Completed(completed.runId(), Instant.now()));
        assertThat(runs.finish(end, keys.queue("default"), null, "w-1")).isEqualTo(RunStore.Put.ACCEPTED);
        assertThat(redis.exists(keys.checkpoints(completed.runId()), keys.checkpointBytes(completed.runId()))).isZero();

        var writtenFirst = running("w-1");
        put(store, writtenFirst.runId(), "a", 10);
        var itsEnd = RunStateMachine.apply(writtenFirst, new RunEvent.Completed(writtenFirst.runId(), Instant.now()));
        runs.put(itsEnd);
        assertThat(runs.finish(itsEnd, keys.queue("default"), null, "w-1")).isEqualTo(RunStore.Put.ALREADY_TERMINAL);
        assertThat(redis.exists(keys.checkpoints(writtenFirst.runId()))).isFalse();

        var lost = running("w-1");
        put(store, lost.runId(), "a", 10);
        runs.put(RunStateMachine.apply(lost, new RunEvent.Lost(lost.runId(), "worker w-1 vanished", Instant.now())));
        var lateEnd = RunStateMachine.apply(lost, new RunEvent.Completed(lost.runId(), Instant.now()));
        assertThat(runs.finish(lateEnd, keys.queue("default"), null, "w-1")).isEqualTo(RunStore.Put.ALREADY_TERMINAL);
        assertThat(store.describe(lost.runId())).extracting(CheckpointInfo::node).containsExactly("a");

        var failed = running("w-1");
        put(store, failed.runId(), "a", 10);
        runs.finish(RunStateMachine.apply(failed, new RunEvent.Failed(failed.runId(), ErrorInfo.of(new IllegalStateException("boom")),
                Instant.now())), keys.queue("default"), null, "w-1");
        assertThat(store.describe(failed.runId())).extracting(CheckpointInfo::node).containsExactly("a"); // a resume may need them
    }

    /**
     * A node's checkpoint never waits on Redis: queued while the server holds every write (on a
     * connection that would wait ten minutes), it returns at once, so a stalled server can hold
     * neither a node nor a cancel (README: never STUCK for Tether's own sake). The write, off the
     * run's thread, waits instead, and lands once the server goes on.
     */
    @Test
    void aCheckpointIsQueuedAtOnceOnAPausedServerAndWrittenWhenItGoesOn() throws Exception {
        try (var patient = RedisClient.builder().hostAndPort("127.0.0.1", server.port)
                .clientConfig(DefaultJedisClientConfig.builder().socketTimeoutMillis(600_000).build()).build();
             var admin = server.admin()) {
            var scheduled = new java.util.concurrent.LinkedBlockingQueue<Runnable>();
            var store = new RedisCheckpointStore(patient, Keys.standard(), Duration.ofMinutes(5), RedisCheckpointStore.Limits.DEFAULT, scheduled::add);
            admin.sendCommand(() -> "CLIENT".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "PAUSE", "600000", "WRITE");
            Thread flush;
            try {
                var node = Thread.ofPlatform().start(() -> queue(store, "paused-write", "n2", 10));
                node.join(Hang.IN_PROCESS);
                assertThat(node.isAlive()).as("the node waits on the paused server").isFalse();
                assertThat(scheduled).as("one flush asked for").hasSize(1);
                flush = Thread.ofPlatform().start(scheduled.poll());
                Hang.eventually("the flush waits on the paused server").until(() -> flush.getState() == Thread.State.RUNNABLE
                        && flush.getStackTrace().length > 0 && java.util.Arrays.stream(flush.getStackTrace())
                        .anyMatch(f -> f.getMethodName().contains("read") || f.getClassName().contains("Socket")));
                queue(store, "paused-write", "n3", 10); // still at once, while its run's earlier checkpoint is being written
            } finally {
                admin.sendCommand(() -> "CLIENT".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "UNPAUSE");
            }
            flush.join(Hang.IN_PROCESS);
            assertThat(flush.isAlive()).isFalse();
            store.flush();
            assertThat(store.describe("paused-write")).extracting(CheckpointInfo::node).containsExactly("n2", "n3");
        }
    }

    /**
     * A write Redis cannot take (the server down) keeps the run's newest checkpoint, and only that, for
     * the next write, which the flush asks for itself: once the server is back, it is there.
     */
    @Test
    void aWriteRedisCannotTakeKeepsTheNewestCheckpointForTheNextOne() throws Exception {
        try (var restarting = RealRedis.startPersistent();
             var client = RedisSettings.parse(restarting.uri()).client("checkpoint-outage-test", 2)) {
            var asked = new java.util.concurrent.LinkedBlockingQueue<Runnable>();
            var store = new RedisCheckpointStore(client, Keys.standard(), Duration.ofMinutes(5), RedisCheckpointStore.Limits.DEFAULT, asked::add);
            for (var node : new String[]{"a", "b", "c"}) queue(store, "outage", node, 10);
            restarting.stop();
            asked.poll().run(); // the hold's flush, while the server is down
            assertThat(asked).as("the flush asks for another").hasSize(1);
            restarting.startAgain();
            // as the worker's timer does: each flush that fails asks for the next (a pooled connection that
            // died in the restart costs one failed attempt), until one gets through
            for (int i = 0; i < 10 && !asked.isEmpty(); i++) asked.poll().run();
            assertThat(asked).as("nothing left to write").isEmpty();
            assertThat(store.describe("outage")).extracting(CheckpointInfo::node).containsExactly("c");
        }
    }

    /** A run that completes before its checkpoints are written costs Redis nothing for them: they are dropped unwritten. */
    @Test
    void aCompletedRunsQueuedCheckpointsAreNeverWritten() {
        var store = writtenBehind();
        var id = RunIds.next();
        for (var node : new String[]{"__START__", "a", "b", "c"}) queue(store, id, node, 10);
        long before = scriptCalls();
        store.ended(id, true, java.util.Set.of());
        store.flush();
        assertThat(scriptCalls()).as("script calls for the dropped checkpoints").isEqualTo(before);
        assertThat(redis.exists(Keys.standard().checkpoints(id))).isFalse();
        assertThat(store.forTheEnd(id).entries()).isEmpty();
    }

    /**
     * A run that ends otherwise (cancelled, failed) keeps every checkpoint for its resume: what was still
     * queued is written by the script that records its end, after what a flush wrote, each once; the end
     * tried again (its reply lost) writes none twice.
     */
    @Test
    void aCancelledRunsQueuedCheckpointsAreWrittenWithItsEndOnce() {
        var keys = Keys.standard();
        var f = claimedRun();
        var store = f.store();
        var runs = f.runs();
        var run = f.run();
        put(store, run.runId(), "a", 10);
        queue(store, run.runId(), "b", 10);
        queue(store, run.runId(), "c", 10);
        store.ended(run.runId(), false, java.util.Set.of());
        store.flush(); // nothing left to flush: the end carries them
        assertThat(store.describe(run.runId())).extracting(CheckpointInfo::node).containsExactly("a");

        var carried = store.forTheEnd(run.runId());
        assertThat(carried.entries()).hasSize(2);
        assertThat(store.forTheEnd(run.runId()).entries()).as("taken once").isEmpty();
        var end = RunStateMachine.apply(RunStateMachine.apply(run, new RunEvent.CancelRequested(run.runId(), Instant.now())), new RunEvent.Cancelled(run.runId(), null, Instant.now(), false));
        assertThat(runs.finish(end, keys.queue("default"), null, "w-1", java.util.List.of(), null, carried)).isEqualTo(RunStore.Put.ACCEPTED);
        assertThat(store.describe(run.runId())).extracting(CheckpointInfo::node).containsExactly("a", "b", "c");
        assertThat(runs.finish(end, keys.queue("default"), null, "w-1", java.util.List.of(), null, carried)).isEqualTo(RunStore.Put.ALREADY_TERMINAL);
        assertThat(store.describe(run.runId())).as("the end again").extracting(CheckpointInfo::node).containsExactly("a", "b", "c");
        assertThat(redis.pttl(keys.checkpoints(run.runId()))).isPositive();
    }

    /**
     * A rollback its worker saw (the record read with the cancel) is held by the worker itself: what the run had
     * queued, and what it makes while it stops, is never written, by a flush or by its end, even when Redis lost the
     * record (a restart without its data) before the run ended.
     */
    @Test
    void aRollbackTheWorkerSawWritesNoneOfTheRunsQueuedCheckpointsEvenWithoutItsRecord() {
        var f = claimedRun();
        var store = f.store();
        var run = f.run();
        put(store, run.runId(), "a", 10);
        queue(store, run.runId(), "b", 10);

        store.rollbackAsked(run.runId());
        store.flush();
        assertThat(store.describe(run.runId())).as("the flush after the rollback").extracting(CheckpointInfo::node).containsExactly("a");
        queue(store, run.runId(), "c", 10); // its node ends while it stops
        store.flush();
        store.ended(run.runId(), false, java.util.Set.of()); // its end knows nothing of the rollback: the record is gone

        assertThat(store.forTheEnd(run.runId()).entries()).isEmpty();
        assertThat(store.describe(run.runId())).as("only what was written before the rollback").extracting(CheckpointInfo::node).containsExactly("a");
        queue(store, run.runId(), "d", 10); // the same id later (a resume's own run is another id): queued again
        store.flush();
        assertThat(store.describe(run.runId())).extracting(CheckpointInfo::node).containsExactly("a", "d");
    }

    /** A rollback asked as its run ended (after that end reached the store) is forgotten with the next run's end. */
    @Test
    void aRollbackAskedAfterItsRunsEndIsForgottenByTheNextEnd() {
        var store = writtenBehind();
        store.ended("late", false, java.util.Set.of());
        store.rollbackAsked("late");
        store.ended("other", false, java.util.Set.of());

        queue(store, "late", "a", 10); // the id again: queued and written, not dropped by a stale mark
        store.flush();
        assertThat(store.describe("late")).extracting(CheckpointInfo::node).containsExactly("a");
    }

    /** A flush that reached Redis with the same checkpoints just before the end (or twice): each is written once. */
    @Test
    void anEndAfterAFlushOfTheSameCheckpointsWritesEachOnce() {
        var keys = Keys.standard();
        var f = claimedRun();
        var store = f.store();
        var runs = f.runs();
        var run = f.run();
        queue(store, run.runId(), "a", 10);
        queue(store, run.runId(), "b", 10);
        var asFlushed = writtenBehind();
        store.ended(run.runId(), false, java.util.Set.of());
        var carried = store.forTheEnd(run.runId());
        // the same entries, as a flush in flight when the run ended wrote them, twice (its reply lost, tried again)
        for (int i = 0; i < 2; i++) {
            Script.CHECKPOINT.eval(redis, java.util.List.of(keys.checkpoints(run.runId()), keys.checkpointBytes(run.runId()), keys.run(run.runId())),
                    java.util.stream.Stream.concat(java.util.stream.Stream.of("1000", "1000000", "300000"), carried.entries().stream()).toList());
        }
        assertThat(asFlushed.describe(run.runId())).extracting(CheckpointInfo::node).containsExactly("a", "b");
        assertThat(Script.CHECKPOINT.eval(redis, java.util.List.of(keys.checkpoints(run.runId()), keys.checkpointBytes(run.runId()),
                keys.run(run.runId())), java.util.List.of("1000", "1000000", "300000"))).as("no entries: the list as it is").isEqualTo(2L);
        var end = RunStateMachine.apply(run, new RunEvent.Failed(run.runId(), ErrorInfo.of(new IllegalStateException("boom")), Instant.now()));
        runs.finish(end, keys.queue("default"), null, "w-1", java.util.List.of(), null, carried);
        assertThat(asFlushed.describe(run.runId())).extracting(CheckpointInfo::node).containsExactly("a", "b");
    }

    /** Another end recorded first (LOST, by the sweep) fences the run: what its worker still carried is not written. */
    @Test
    void anEndRefusedForAnotherEndWritesNoCheckpoint() {
        var keys = Keys.standard();
        var f = claimedRun();
        var store = f.store();
        var runs = f.runs();
        var run = f.run();
        put(store, run.runId(), "a", 10);
        queue(store, run.runId(), "b", 10);
        runs.put(RunStateMachine.apply(run, new RunEvent.Lost(run.runId(), "worker w-1 vanished", Instant.now())));
        store.ended(run.runId(), false, java.util.Set.of());
        var end = RunStateMachine.apply(RunStateMachine.apply(run, new RunEvent.CancelRequested(run.runId(), Instant.now())), new RunEvent.Cancelled(run.runId(), null, Instant.now(), false));
        assertThat(runs.finish(end, keys.queue("default"), null, "w-1", java.util.List.of(), null, store.forTheEnd(run.runId())))
                .isEqualTo(RunStore.Put.ALREADY_TERMINAL);
        assertThat(store.describe(run.runId())).extracting(CheckpointInfo::node).containsExactly("a");
    }

    private record Claimed(RedisCheckpointStore store, RunStore runs, RunSnapshot run) {}

    /** A worker's store and a run it claimed. */
    private static Claimed claimedRun() {
        var runs = new RunStore(redis, Keys.standard(), Duration.ofMinutes(5), 100);
        return new Claimed(writtenBehind(), runs, claimedInRedis("w-1", runs));
    }

    /** A worker's store, its flushes run by the test alone (its timer is never run). */
    private static RedisCheckpointStore writtenBehind() {
        return new RedisCheckpointStore(redis, Keys.standard(), Duration.ofMinutes(5), RedisCheckpointStore.Limits.DEFAULT, r -> {});
    }

    /** A run RUNNING on {@code worker}, in Redis as its claim writes it. */
    private static RunSnapshot claimedInRedis(String worker, RunStore runs) {
        var queued = RunStateMachine.apply(null, new RunEvent.Submitted(RunIds.next(), "g", "default", Map.of(), Instant.now()));
        assertThat(runs.submit(queued, Keys.standard().queue("default"), Map.of("id", queued.runId()))).isTrue();
        var running = RunStateMachine.apply(queued, new RunEvent.Started(queued.runId(), worker, Instant.now()));
        assertThat(runs.claim(running, worker, "1-0").outcome()).isEqualTo(RunStore.Claim.Outcome.STARTED);
        return running;
    }

    /**
     * A resume reads its checkpoint on the run's thread before its first node: a Redis restart at that
     * moment (down 2.5 s, longer than the second such a read used to wait) delays the run, never
     * fails it. Found by the Redis soak: a resume started 16 ms before Redis was SIGKILLed ended
     * FAILED ("Failed to connect").
     */
    @Test
    void aRunsReadOfItsCheckpointWaitsThroughARedisRestart() throws Exception {
        try (var persistent = RealRedis.startPersistent();
             var client = RedisSettings.parse(persistent.uri()).client("checkpoint-restart-test", 2)) {
            var store = new RedisCheckpointStore(client, Keys.standard(), Duration.ofMinutes(5), RedisCheckpointStore.Limits.DEFAULT);
            put(store, "resumed", "a", 10);
            persistent.stop();
            var back = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(2_500);
                    persistent.startAgain();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            var read = store.get(RunnableConfig.builder().threadId("resumed").build());
            back.join();
            assertThat(read).map(Checkpoint::getNodeId).contains("a");
        }
    }

    /** The same read while Redis stays away ends as soon as the run's thread is interrupted (a cancel, the fence, a shutdown). */
    @Test
    void aRunsReadOfItsCheckpointEndsWhenTheRunIsInterrupted() throws Exception {
        try (var gone = RealRedis.start();
             var client = RedisSettings.parse(gone.uri()).client("checkpoint-interrupt-test", 2)) {
            var store = new RedisCheckpointStore(client, Keys.standard(), Duration.ofMinutes(5), RedisCheckpointStore.Limits.DEFAULT);
            gone.stop();
            var failure = new java.util.concurrent.CompletableFuture<Throwable>();
            var stillInterrupted = new java.util.concurrent.atomic.AtomicBoolean();
            var reader = Thread.ofPlatform().start(() -> {
                try {
                    store.get(RunnableConfig.builder().threadId("waiting").build());
                    failure.complete(null);
                } catch (Throwable t) {
                    stillInterrupted.set(Thread.currentThread().isInterrupted()); // ended by the interrupt, not by its minute
                    failure.complete(t);
                }
            });
            Thread.sleep(300); // inside its retries
            reader.interrupt();
            assertThat(failure.get(Hang.IN_PROCESS_SECONDS, java.util.concurrent.TimeUnit.SECONDS))
                    .isInstanceOf(redis.clients.jedis.exceptions.JedisConnectionException.class);
            assertThat(stillInterrupted).as("the interrupt ended the wait and is kept for the run to see").isTrue();
            reader.join();
        }
    }

    private static RunSnapshot running(String worker) {
        var id = RunIds.next();
        var queued = RunStateMachine.apply(null, new RunEvent.Submitted(id, "g", "default", Map.of(), Instant.now()));
        return RunStateMachine.apply(queued, new RunEvent.Started(id, worker, Instant.now()));
    }
}
