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

/** The bounds and the fence of checkpoints in a real redis-server. */
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

    private static void put(RedisCheckpointStore store, String runId, String node, int bytes) {
        store.put(RunnableConfig.builder().threadId(runId).build(),
                Checkpoint.builder().nodeId(node).nextNodeId("next").state(Map.of("text", "x".repeat(bytes))).build());
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
     * A checkpoint write waiting on a server that holds every write (here on a connection that would
     * wait ten minutes) gives way to the run's cancel at once: the node returns while the server is
     * still paused, so a cancel never waits on a stalled server (README: never STUCK for Tether's own
     * sake). The write itself is refused later, once the run's end is recorded.
     */
    @Test
    void aCheckpointWriteOnAPausedServerGivesWayToTheRunsCancel() throws Exception {
        try (var patient = RedisClient.builder().hostAndPort("127.0.0.1", server.port)
                .clientConfig(DefaultJedisClientConfig.builder().socketTimeoutMillis(600_000).build()).build();
             var admin = server.admin()) {
            var store = new RedisCheckpointStore(patient, Keys.standard(), Duration.ofMinutes(5), RedisCheckpointStore.Limits.DEFAULT);
            var token = new TestToken();
            var config = RunnableConfig.builder().threadId("paused-write").addMetadata(dev.tether.api.Cancellation.CONFIG_KEY, token).build();
            admin.sendCommand(() -> "CLIENT".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "PAUSE", "600000", "WRITE");
            try {
                // The node ends with the cancel, as a node's does; kept here, not left uncaught for whatever runs next
                // in this JVM to find (TestFX reports uncaught exceptions in the next FX test).
                var ended = new java.util.concurrent.atomic.AtomicReference<Throwable>();
                var node = new Thread(() -> {
                    try {
                        store.put(config, Checkpoint.builder().nodeId("n2").nextNodeId("n3").state(Map.of("k", "v")).build());
                    } catch (Throwable t) {
                        ended.set(t);
                    }
                });
                node.start();
                Hang.eventually("the write waits on the paused server").until(() -> node.getState() == Thread.State.WAITING);
                token.cancel();
                node.join(Hang.IN_PROCESS);
                assertThat(node.isAlive()).as("the node still waits for its write after the cancel").isFalse();
                var why = ended.get();
                while (why != null && !(why instanceof dev.tether.api.RunCancelledException)) why = why.getCause();
                assertThat(why).as("the write gave way to the cancel: " + ended.get()).isNotNull();
            } finally {
                admin.sendCommand(() -> "CLIENT".getBytes(java.nio.charset.StandardCharsets.US_ASCII), "UNPAUSE");
            }
        }
    }

    /** A run's token, as the engine's behaves: a wait through it ends (and the future is cancelled) when it is cancelled. */
    private static final class TestToken implements dev.tether.api.Cancellation {
        private final java.util.concurrent.CompletableFuture<Void> cancelled = new java.util.concurrent.CompletableFuture<>();

        void cancel() {
            cancelled.complete(null);
        }

        @Override public boolean isCancelled() { return cancelled.isDone(); }
        @Override public void sleep(Duration d) { throw new UnsupportedOperationException(); }
        @Override public <T> T await(java.util.concurrent.Future<T> f, Duration t) { throw new UnsupportedOperationException(); }
        @Override public Registration onCancel(Runnable action) { throw new UnsupportedOperationException(); }
        @Override public java.util.concurrent.CompletableFuture<Void> whenCancelled() { return cancelled; }

        @Override
        public <T> T await(java.util.concurrent.Future<T> future) throws java.util.concurrent.ExecutionException {
            java.util.concurrent.CompletableFuture.anyOf(cancelled, java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    future.get();
                } catch (Exception ignored) {
                    // its outcome is read below
                }
            })).join();
            if (isCancelled()) {
                future.cancel(true);
                throw new dev.tether.api.RunCancelledException("run cancelled");
            }
            try {
                return future.get();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
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
