package dev.tether.engine;

import dev.tether.testing.Hang;

import dev.tether.api.Cancellation;
import dev.tether.graphs.CpuCrunchGraph;
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
 *
 * <p>A run that stops by cooperating is given a grace only a hang reaches ({@link #NO_GRACE_NEEDED}):
 * on a loaded machine its thread may wait longer than a short grace for a core, and would be judged
 * STUCK for the machine's sake. Nodes that would end by themselves last far longer than that, so a
 * run that ends did so because of its cancel. How soon runs stop is CancelLatencyBench's to measure.
 * Only the test of a node that ignores its cancel uses a short grace ({@link #GRACE}): it must pass.
 */
class CancellationTest {
    private static final Duration GRACE = Duration.ofMillis(800);
    private static final Duration NO_GRACE_NEEDED = dev.tether.testing.Hang.IN_PROCESS;
    private static final Duration LONGER_THAN_ANY_WAIT = Duration.ofMinutes(30);
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
        fx = new EngineFixture(1, NO_GRACE_NEEDED,
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
        fx = new EngineFixture(1, NO_GRACE_NEEDED, TestGraph.linear("boundary",
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
        fx = new EngineFixture(1, NO_GRACE_NEEDED, TestGraph.linear("sleeper",
                "first", TestGraph.quick(),
                "slow", (TestGraph.Body) s -> { Thread.sleep(LONGER_THAN_ANY_WAIT); return Map.of(); },
                "last", TestGraph.quick()));
        var id = fx.submit("sleeper");
        fx.awaitNode(id, "slow");
        fx.engine.cancel(id);
        var run = fx.awaitTerminal(id); // a sleep not waited out: it was interrupted

        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.cancelledAtNode()).isEqualTo("slow");
        assertThat(run.steps()).isEqualTo(1);
        assertThat(run.forced()).isFalse();
    }

    @Test
    void aNodeWaitingOnTheTokenReturnsAtOnce() throws Exception {
        fx = new EngineFixture(1, NO_GRACE_NEEDED, TestGraph.linear("token",
                "slow", (TestGraph.Body) s -> { Cancellation.current().sleep(LONGER_THAN_ANY_WAIT); return Map.of(); }));
        var id = fx.submit("token");
        fx.awaitNode(id, "slow");
        fx.engine.cancel(id);
        var run = fx.awaitTerminal(id);
        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.cancelledAtNode()).isEqualTo("slow");
        assertThat(run.cancelLatency()).isNotNull();
    }

    @Test
    void aCooperativeCpuNodeStops() throws Exception {
        fx = new EngineFixture(1, NO_GRACE_NEEDED, new CpuCrunchGraph());
        var id = fx.engine.submit("cpu-crunch", null, Map.of("millis", LONGER_THAN_ANY_WAIT.toMillis())).runId();
        fx.awaitNode(id, "crunch");
        fx.engine.cancel(id);
        var run = fx.awaitTerminal(id);
        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.cancelledAtNode()).isEqualTo("crunch");
        assertThat(run.forced()).isFalse();
    }

    @Test
    void anAsyncNodeOnAnotherPoolIsCancelledThroughItsToken() throws Exception {
        var workerThread = new AtomicReference<Thread>();
        AsyncNodeActionWithConfig<AgentState> async = (state, config) -> {
            var token = Cancellation.from(config);
            return CompletableFuture.supplyAsync(() -> {
                workerThread.set(Thread.currentThread());
                token.sleep(LONGER_THAN_ANY_WAIT);
                return Map.<String, Object>of("late", true);
            }, pool);
        };
        fx = new EngineFixture(1, NO_GRACE_NEEDED, TestGraph.linear("async", "first", TestGraph.quick(), "remote", async, "last", TestGraph.quick()));
        var id = fx.submit("async");
        fx.awaitNode(id, "remote");
        fx.engine.cancel(id);
        var run = fx.awaitTerminal(id);

        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.cancelledAtNode()).isEqualTo("remote");
        // the pool thread was released (its sleep would last half an hour): it takes other work
        assertThat(pool.submit(() -> "free").get(dev.tether.testing.Hang.IN_PROCESS_SECONDS, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("free");
        assertThat(fx.saver.list(cfg(id))).extracting(c -> c.getNodeId()).doesNotContain("remote");
    }

    @Test
    void anAsyncNodeIsCancelledOnlyOnceItsWorkIsDoneAndItsLateCheckpointIsDropped() throws Exception {
        var workDone = new AtomicReference<Instant>();
        var finish = new CountDownLatch(1);
        AsyncNodeActionWithConfig<AgentState> deaf = (state, config) -> CompletableFuture.supplyAsync(() -> {
            while (true) { // ignores the token and interrupts: it finishes when the test says, within the grace
                try {
                    if (finish.await(1, java.util.concurrent.TimeUnit.MINUTES)) break;
                } catch (InterruptedException deafToIt) {
                    // keeps working
                }
            }
            workDone.set(Instant.now());
            return Map.<String, Object>of("late", true);
        }, pool);
        fx = new EngineFixture(1, NO_GRACE_NEEDED, TestGraph.linear("deaf", "first", TestGraph.quick(), "remote", deaf, "last", TestGraph.quick()));
        var id = fx.submit("deaf");
        fx.awaitNode(id, "remote");
        fx.engine.cancel(id);
        fx.awaitStatus(id, RunStatus.CANCELLING);
        Thread.sleep(100); // time to (wrongly) report it cancelled while its work still runs
        assertThat(fx.run(id).status()).as("not cancelled while the node's work runs").isEqualTo(RunStatus.CANCELLING);
        finish.countDown();
        var run = fx.awaitTerminal(id);

        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(workDone.get()).as("the node's work finished").isNotNull();
        assertThat(run.endedAt()).as("reported cancelled only after the node's work ended").isAfterOrEqualTo(workDone.get());
        Thread.sleep(100); // give a late checkpoint every chance to be (wrongly) written
        assertThat(fx.saver.list(cfg(id))).extracting(c -> c.getNodeId()).containsExactly("first", "__START__");
    }

    @Test
    void aStubbornNodeBecomesStuckAfterTheGraceAndNeverCancelled() throws Exception {
        var letGo = new CountDownLatch(1);
        fx = new EngineFixture(1, GRACE, TestGraph.linear("deaf", "ignore-cancel", (TestGraph.Body) s -> {
            while (true) { // ignores interrupts and its token until the test lets it go
                try {
                    if (letGo.await(1, java.util.concurrent.TimeUnit.MINUTES)) return Map.of();
                } catch (InterruptedException deafToIt) {
                    // keeps going
                }
            }
        }), TestGraph.linear("quick", "only", TestGraph.quick()));
        var id = fx.submit("deaf");
        fx.awaitNode(id, "ignore-cancel");
        fx.engine.cancel(id);
        var run = fx.awaitTerminal(id);

        assertThat(run.status()).isEqualTo(RunStatus.STUCK);
        assertThat(run.cancelledAtNode()).isNull();
        // judged after its grace, never before (how soon after: the watchdog's tick, CancelLatencyBench)
        assertThat(Duration.between(run.cancelRequestedAt(), run.endedAt())).isGreaterThanOrEqualTo(GRACE);
        assertThat(fx.engine.stats().stuck()).isEqualTo(1);
        assertThat(fx.engine.runsOnThreads()).as("its thread is still in it (views keep showing it)").contains(id);
        // its slot was replaced: with concurrency 1 another run still gets through
        var other = fx.submit("quick");
        assertThat(fx.awaitTerminal(other).status()).isEqualTo(RunStatus.COMPLETED);
        // when the deaf node finally returns, the run stays STUCK and writes no checkpoint
        letGo.countDown();
        org.awaitility.Awaitility.await().until(() -> fx.engine.stats().stuck() == 0);
        assertThat(fx.engine.runsOnThreads()).as("its thread has returned").doesNotContain(id);
        assertThat(fx.run(id).status()).isEqualTo(RunStatus.STUCK);
        assertThat(fx.engine.droppedCheckpoints()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void cancellingAFinishedOrUnknownRunChangesNothing() throws Exception {
        fx = new EngineFixture(1, NO_GRACE_NEEDED, TestGraph.linear("quick", "only", TestGraph.quick()));
        var id = fx.submit("quick");
        var done = fx.awaitTerminal(id);
        assertThat(fx.engine.cancel(id)).isEqualTo(CancelOutcome.ALREADY_FINISHED);
        assertThat(fx.run(id)).isEqualTo(done);
        assertThat(fx.engine.cancel("no-such-run")).isEqualTo(CancelOutcome.UNKNOWN_RUN);
    }

    @Test
    void aFailingNodeFailsTheRunWithItsError() throws Exception {
        fx = new EngineFixture(1, NO_GRACE_NEEDED, TestGraph.linear("boom",
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
