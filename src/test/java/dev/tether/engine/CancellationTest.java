package dev.tether.engine;

import dev.tether.api.Cancellation;
import dev.tether.graphs.CpuCrunchGraph;
import dev.tether.graphs.StubbornGraph;
import dev.tether.run.CancelOutcome;
import dev.tether.run.NodeSpan;
import dev.tether.run.RunStatus;
import org.bsc.langgraph4j.action.AsyncNodeActionWithConfig;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cancel at every place a run can be: queued, at a node boundary, inside a sleeping node, inside a
 * cooperative CPU node, inside an async node on another pool, and inside a node that ignores it.
 */
class CancellationTest {
    private static final Duration GRACE = Duration.ofMillis(800);
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private EngineFixture fx;

    @AfterEach
    void tearDown() {
        if (fx != null) fx.close();
        pool.shutdownNow();
        if (fx != null) assertThat(fx.saver.violations).isEmpty();
    }

    @Test
    void aQueuedRunNeverStarts() throws Exception {
        var release = new CountDownLatch(1);
        var secondRan = new AtomicBoolean();
        fx = new EngineFixture(1, GRACE,
                TestGraph.linear("hold", "wait", (TestGraph.Body) s -> { release.await(); return Map.of(); }),
                TestGraph.linear("other", "mark", (TestGraph.Body) s -> { secondRan.set(true); return Map.of(); }));
        var holder = fx.submit("hold");
        fx.awaitNode(holder, "wait");
        var queued = fx.submit("other");
        assertThat(fx.run(queued).status()).isEqualTo(RunStatus.QUEUED);

        assertThat(fx.engine.cancel(queued)).isEqualTo(CancelOutcome.CANCELLED_BEFORE_START);
        release.countDown();

        assertThat(fx.awaitTerminal(holder).status()).isEqualTo(RunStatus.COMPLETED);
        var cancelled = fx.awaitTerminal(queued);
        assertThat(cancelled.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(cancelled.startedAt()).isNull();
        assertThat(cancelled.timeline()).isEmpty();
        // the slot is free again and took nothing for the cancelled run
        var next = fx.submit("other");
        assertThat(fx.awaitTerminal(next).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(fx.run(queued).status()).isEqualTo(RunStatus.CANCELLED);
    }

    @Test
    void atANodeBoundaryTheNextNodeNeverStarts() throws Exception {
        var inFirst = new CountDownLatch(1);
        var proceed = new CountDownLatch(1);
        var secondRan = new AtomicBoolean();
        fx = new EngineFixture(1, GRACE, TestGraph.linear("boundary",
                "first", (TestGraph.Body) s -> {
                    inFirst.countDown();
                    // deaf to interrupts and to the token: only the boundary can stop this run
                    while (proceed.getCount() > 0) Thread.onSpinWait();
                    return Map.of("first", true);
                },
                "second", (TestGraph.Body) s -> { secondRan.set(true); return Map.of(); }));
        var id = fx.submit("boundary");
        inFirst.await();
        assertThat(fx.engine.cancel(id)).isEqualTo(CancelOutcome.CANCELLING);
        proceed.countDown();

        var run = fx.awaitTerminal(id);
        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.cancelledAtNode()).isEqualTo("first");
        assertThat(secondRan).isFalse();
        assertThat(run.timeline()).extracting(NodeSpan::node).containsExactly("first");
    }

    @Test
    void aNodeBlockedInAPlainSleepIsInterrupted() throws Exception {
        fx = new EngineFixture(1, GRACE, TestGraph.linear("sleeper",
                "first", TestGraph.quick(),
                "slow", (TestGraph.Body) s -> { Thread.sleep(10_000); return Map.of(); },
                "last", TestGraph.quick()));
        var id = fx.submit("sleeper");
        fx.awaitNode(id, "slow");
        long t0 = System.nanoTime();
        fx.engine.cancel(id);
        var run = fx.awaitTerminal(id);
        long tookMs = (System.nanoTime() - t0) / 1_000_000;

        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.cancelledAtNode()).isEqualTo("slow");
        assertThat(run.steps()).isEqualTo(1);
        assertThat(tookMs).as("a 10 s sleep must not be waited out").isLessThan(GRACE.toMillis());
    }

    @Test
    void aNodeWaitingOnTheTokenReturnsAtOnce() throws Exception {
        fx = new EngineFixture(1, GRACE, TestGraph.linear("token",
                "slow", (TestGraph.Body) s -> { Cancellation.current().sleep(Duration.ofSeconds(10)); return Map.of(); }));
        var id = fx.submit("token");
        fx.awaitNode(id, "slow");
        fx.engine.cancel(id);
        var run = fx.awaitTerminal(id);
        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.cancelLatency()).isLessThan(GRACE);
    }

    @Test
    void aCooperativeCpuNodeStops() throws Exception {
        fx = new EngineFixture(1, GRACE, new CpuCrunchGraph());
        var id = fx.engine.submit("cpu-crunch", null, Map.of("millis", 20_000)).runId();
        fx.awaitNode(id, "crunch");
        fx.engine.cancel(id);
        var run = fx.awaitTerminal(id);
        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.cancelledAtNode()).isEqualTo("crunch");
        assertThat(run.cancelLatency()).isLessThan(GRACE);
    }

    @Test
    void anAsyncNodeOnAnotherPoolIsCancelledThroughItsToken() throws Exception {
        var workerThread = new AtomicReference<Thread>();
        AsyncNodeActionWithConfig<AgentState> async = (state, config) -> {
            var token = Cancellation.from(config);
            return CompletableFuture.supplyAsync(() -> {
                workerThread.set(Thread.currentThread());
                token.sleep(Duration.ofSeconds(10));
                return Map.<String, Object>of("late", true);
            }, pool);
        };
        fx = new EngineFixture(1, GRACE, TestGraph.linear("async", "first", TestGraph.quick(), "remote", async, "last", TestGraph.quick()));
        var id = fx.submit("async");
        fx.awaitNode(id, "remote");
        fx.engine.cancel(id);
        var run = fx.awaitTerminal(id);

        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.cancelledAtNode()).isEqualTo("remote");
        assertThat(run.cancelLatency()).isLessThan(GRACE);
        // the pool thread was released: it can take other work right away
        assertThat(pool.submit(() -> "free").get(1, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("free");
        assertThat(fx.saver.list(cfg(id))).extracting(c -> c.getNodeId()).doesNotContain("remote");
    }

    @Test
    void anAsyncNodeIsCancelledOnlyOnceItsWorkIsDoneAndItsLateCheckpointIsDropped() throws Exception {
        var workDone = new AtomicReference<Instant>();
        AsyncNodeActionWithConfig<AgentState> deaf = (state, config) -> CompletableFuture.supplyAsync(() -> {
            long end = System.nanoTime() + 300_000_000L; // ignores the token, but finishes within the grace
            while (System.nanoTime() < end) Thread.onSpinWait();
            workDone.set(Instant.now());
            return Map.<String, Object>of("late", true);
        }, pool);
        fx = new EngineFixture(1, GRACE, TestGraph.linear("deaf", "first", TestGraph.quick(), "remote", deaf, "last", TestGraph.quick()));
        var id = fx.submit("deaf");
        fx.awaitNode(id, "remote");
        fx.engine.cancel(id);
        var run = fx.awaitTerminal(id);

        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(workDone.get()).as("the node's work finished").isNotNull();
        assertThat(run.endedAt()).as("reported cancelled only after the node's work ended").isAfterOrEqualTo(workDone.get());
        Thread.sleep(100); // give a late checkpoint every chance to be (wrongly) written
        assertThat(fx.saver.list(cfg(id))).extracting(c -> c.getNodeId()).containsExactly("first", "__START__");
    }

    @Test
    void aStubbornNodeBecomesStuckAfterTheGraceAndNeverCancelled() throws Exception {
        fx = new EngineFixture(1, GRACE, new StubbornGraph(), TestGraph.linear("quick", "only", TestGraph.quick()));
        var id = fx.engine.submit("stubborn", null, Map.of("seconds", 3)).runId();
        fx.awaitNode(id, "ignore-cancel");
        long t0 = System.nanoTime();
        fx.engine.cancel(id);
        var run = fx.awaitTerminal(id);
        long tookMs = (System.nanoTime() - t0) / 1_000_000;

        assertThat(run.status()).isEqualTo(RunStatus.STUCK);
        assertThat(run.cancelledAtNode()).isNull();
        assertThat(tookMs).isBetween(GRACE.toMillis() - 50, GRACE.toMillis() + 1_000);
        assertThat(fx.engine.stats().stuck()).isEqualTo(1);
        // its slot was replaced: with concurrency 1 another run still gets through
        var other = fx.submit("quick");
        assertThat(fx.awaitTerminal(other).status()).isEqualTo(RunStatus.COMPLETED);
        // when the spinning node finally returns, the run stays STUCK and writes no checkpoint
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(6)).until(() -> fx.engine.stats().stuck() == 0);
        assertThat(fx.run(id).status()).isEqualTo(RunStatus.STUCK);
        assertThat(fx.engine.droppedCheckpoints()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void cancellingAFinishedOrUnknownRunChangesNothing() throws Exception {
        fx = new EngineFixture(1, GRACE, TestGraph.linear("quick", "only", TestGraph.quick()));
        var id = fx.submit("quick");
        var done = fx.awaitTerminal(id);
        assertThat(fx.engine.cancel(id)).isEqualTo(CancelOutcome.ALREADY_FINISHED);
        assertThat(fx.run(id)).isEqualTo(done);
        assertThat(fx.engine.cancel("no-such-run")).isEqualTo(CancelOutcome.UNKNOWN_RUN);
    }

    @Test
    void aFailingNodeFailsTheRunWithItsError() throws Exception {
        fx = new EngineFixture(1, GRACE, TestGraph.linear("boom",
                "first", TestGraph.quick(),
                "explode", (TestGraph.Body) s -> { throw new IllegalStateException("disk on fire"); }));
        var run = fx.awaitTerminal(fx.submit("boom"));
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error().message()).isEqualTo("disk on fire");
        assertThat(run.error().type()).isEqualTo(IllegalStateException.class.getName());
        assertThat(run.error().stackTrace()).contains("disk on fire");
        assertThat(run.steps()).isEqualTo(1);
    }

    private static org.bsc.langgraph4j.RunnableConfig cfg(String id) {
        return org.bsc.langgraph4j.RunnableConfig.builder().threadId(id).build();
    }
}
