package dev.tether.engine;

import dev.tether.graphs.BookWorkflowGraph;
import dev.tether.run.RunStatus;
import dev.tether.testing.Hang;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** close(timeout): cancel all, wait up to the timeout, report what did not stop, leave no thread. */
class ShutdownTest {

    /** The engine's own threads (other tests' threads in this JVM are not its business). */
    private static long engineThreads(LocalEngine engine) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(engine.threadPrefix())).filter(Thread::isAlive).count();
    }

    @Test
    void cooperativeRunsAreCancelledAndNoEngineThreadRemains() throws Exception {
        var fx = new EngineFixture(4, Duration.ofSeconds(2), new BookWorkflowGraph());
        var ids = new ArrayList<String>();
        for (int i = 0; i < 20; i++) ids.add(fx.engine.submit("book-workflow", null, Map.of("nodeMillis", 10_000)).runId());
        Awaitility.await().until(() -> fx.engine.stats().busy() == 4);

        // a deadline only a hang reaches: that they stop cleanly must not depend on the machine's load
        var report = fx.engine.shutdown(Hang.IN_PROCESS);

        // how soon (well under a second when idle) is measured by ShutdownBench
        assertThat(report.clean()).isTrue();
        assertThat(report.cancelled()).isEqualTo(20);
        assertThat(ids).allSatisfy(id -> assertThat(fx.run(id).status()).isEqualTo(RunStatus.CANCELLED));
        Awaitility.await().pollInSameThread().until(() -> engineThreads(fx.engine) == 0); // daemon slot threads end a moment after
        assertThat(fx.engine.isShutdown()).isTrue();
    }

    /**
     * The run ignores its cancel until the test lets it go, long after the shutdown: the shutdown
     * returns at its timeout with the run reported, while the run's thread still runs. How far past
     * its timeout it returns is measured by ShutdownBench.
     */
    @Test
    void aStuckRunIsReportedAndDoesNotHoldTheShutdownPastItsTimeout() throws Exception {
        var letGo = new java.util.concurrent.CountDownLatch(1);
        var fx = new EngineFixture(2, Duration.ofMillis(300), TestGraph.deafUntil(letGo));
        try {
            var id = fx.submit("deaf");
            fx.awaitNode(id, "ignore-cancel");

            var timeout = Duration.ofSeconds(1);
            var report = java.util.concurrent.CompletableFuture.supplyAsync(() -> fx.engine.shutdown(timeout))
                    .get(Hang.IN_PROCESS.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);

            assertThat(letGo.getCount()).as("the run was never let go: it did not hold the shutdown").isOne();
            assertThat(report.clean()).isFalse();
            assertThat(report.notStopped()).containsExactly(id);
            assertThat(report.took()).as("it waited its timeout for the run").isGreaterThanOrEqualTo(timeout);
            assertThat(fx.run(id).status()).isEqualTo(RunStatus.STUCK);
            // the deaf thread is a daemon: it cannot keep the JVM alive
            assertThat(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(fx.engine.threadPrefix())))
                    .allSatisfy(t -> assertThat(t.isDaemon()).isTrue());
        } finally {
            letGo.countDown();
        }
        Awaitility.await().pollInSameThread().until(() -> engineThreads(fx.engine) == 0);
    }

    /**
     * A submit caught by the shutdown between its check and its run reaching the registry (held there
     * until the shutdown has finished or waits for it): the run it returns is cancelled by that
     * shutdown, never left QUEUED in a queue nobody reads any more.
     */
    @Test
    void aRunSubmittedAsTheShutdownClosesTheQueueIsCancelledByIt() throws Exception {
        // it can only end by a cancel: a run the shutdown missed would stay QUEUED, or RUNNING
        var fx = new EngineFixture(1, Duration.ofSeconds(5), TestGraph.linear("waits", "a", (TestGraph.Body) s -> {
            dev.tether.api.Cancellation.current().sleep(Duration.ofMinutes(1));
            return Map.of();
        }));
        var shutdown = new java.util.concurrent.CompletableFuture<ShutdownReport>();
        var shutdownThread = new java.util.concurrent.atomic.AtomicReference<Thread>();
        try (var hold = fx.registry.watch(change -> {
            if (!(change.event() instanceof dev.tether.run.RunEvent.Submitted) || shutdownThread.get() != null) return;
            var t = Thread.ofPlatform().start(() -> shutdown.complete(fx.engine.shutdown(Duration.ofSeconds(10))));
            shutdownThread.set(t);
            // (under this run's registry lock: the shutdown must not need the registry to get there)
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (!shutdown.isDone() && t.getState() != Thread.State.WAITING && t.getState() != Thread.State.BLOCKED
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        })) {
            String id;
            try {
                id = fx.engine.submit("waits", null, Map.of()).runId();
            } catch (IllegalStateException refused) {
                id = null; // refused outright is fine too: nothing was accepted
            }
            var report = shutdown.get(Hang.IN_PROCESS.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            if (id != null) {
                var end = fx.engine.awaitTerminal(id, Hang.IN_PROCESS);
                assertThat(end).as("the accepted run ended").isPresent();
                assertThat(end.get().status()).isEqualTo(RunStatus.CANCELLED);
                assertThat(report.cancelled()).isEqualTo(1);
            }
        }
    }

    /**
     * cancelAll took its list of queued runs; before its cancel reaches one of them, a slot frees and
     * starts it (forced: the running run is let go and the queued one runs before its cancel is sent).
     * It was cancelled all the same, and is counted.
     */
    @Test
    void aQueuedRunThatStartsBeforeCancelAllReachesItIsCountedAsCancelled() throws Exception {
        var releaseFirst = new java.util.concurrent.CountDownLatch(1);
        var fx = new EngineFixture(1, Duration.ofSeconds(5),
                TestGraph.linear("held", "a", (TestGraph.Body) s -> {
                    while (!releaseFirst.await(1, java.util.concurrent.TimeUnit.MINUTES)) Thread.onSpinWait();
                    return Map.of();
                }),
                TestGraph.linear("waits", "a", (TestGraph.Body) s -> {
                    dev.tether.api.Cancellation.current().sleep(Duration.ofMinutes(1));
                    return Map.of();
                }));
        try {
            var running = fx.submit("held");
            fx.awaitNode(running, "a");
            var queued = fx.submit("waits");
            var once = new java.util.concurrent.atomic.AtomicBoolean();
            fx.engine.beforeBulkCancel = id -> {
                if (!id.equals(queued) || !once.compareAndSet(false, true)) return;
                releaseFirst.countDown();
                fx.awaitStatus(queued, RunStatus.RUNNING);
            };
            var ids = fx.engine.cancelAll(dev.tether.run.CancelRequest.by(dev.tether.run.CancelOrigin.API));
            assertThat(fx.run(running).status()).as("it ended before cancelAll reached the running runs").isEqualTo(RunStatus.COMPLETED);
            assertThat(ids).containsExactly(queued);
            assertThat(fx.awaitTerminal(queued).status()).isEqualTo(RunStatus.CANCELLED);
        } finally {
            releaseFirst.countDown();
            fx.close();
        }
    }

    /** What ignores its cancel for the whole shutdown timeout is given up as STUCK, not left CANCELLING. */
    @Test
    void aRunStillStoppingWhenTheShutdownGivesUpIsStuck() throws Exception {
        var letGo = new java.util.concurrent.CountDownLatch(1);
        var fx = new EngineFixture(1, Duration.ofMinutes(1), TestGraph.linear("deaf", "ignore-cancel", (TestGraph.Body) s -> {
            while (true) {
                try {
                    if (letGo.await(1, java.util.concurrent.TimeUnit.MINUTES)) return Map.of();
                } catch (InterruptedException ignored) {
                    // deaf
                }
            }
        }));
        try {
            var id = fx.submit("deaf");
            fx.awaitNode(id, "ignore-cancel");
            var report = fx.engine.shutdown(Duration.ofMillis(300)); // far shorter than its grace
            assertThat(report.notStopped()).containsExactly(id);
            assertThat(fx.run(id).status()).isEqualTo(RunStatus.STUCK);
            assertThat(fx.engine.awaitTerminal(id, Hang.IN_PROCESS).orElseThrow().status()).isEqualTo(RunStatus.STUCK);
        } finally {
            letGo.countDown();
        }
    }

    @Test
    void noRunIsAcceptedAfterShutdown() {
        var fx = new EngineFixture(1, Duration.ofSeconds(1), new BookWorkflowGraph());
        fx.engine.shutdown(Duration.ofSeconds(1));
        assertThatThrownBy(() -> fx.engine.submit("book-workflow", null, Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("shutting down");
    }

    @Test
    void aFullQueueRefusesWithAClearMessageAndRegistersNothing() {
        var config = EngineConfig.defaults().withConcurrency(1).withQueueCapacity(2);
        var registry = new dev.tether.registry.RunRegistry();
        var engine = new LocalEngine(config, dev.tether.catalog.GraphCatalog.of(new BookWorkflowGraph()), registry);
        try {
            engine.submit("book-workflow", null, Map.of("nodeMillis", 10_000));
            Awaitility.await().until(() -> engine.stats().busy() == 1);
            engine.submit("book-workflow", null, Map.of("nodeMillis", 10_000));
            engine.submit("book-workflow", null, Map.of("nodeMillis", 10_000));
            int before = registry.size();
            assertThatThrownBy(() -> engine.submit("book-workflow", null, Map.of()))
                    .isInstanceOf(IllegalStateException.class).hasMessage("run queue is full (2 waiting); try again later");
            assertThat(registry.size()).isEqualTo(before);
        } finally {
            engine.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void anUnknownGraphIsRefusedNamingTheKnownOnes() {
        var fx = new EngineFixture(1, Duration.ofSeconds(1), new BookWorkflowGraph());
        try {
            assertThatThrownBy(() -> fx.engine.submit("nope", null, Map.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("unknown graph 'nope' (known: book-workflow)");
        } finally {
            fx.close();
        }
    }
}
