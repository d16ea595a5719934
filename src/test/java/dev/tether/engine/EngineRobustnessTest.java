package dev.tether.engine;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelOutcome;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** What the distributed mode relies on: slots that survive their source, duplicate jobs, honest capacity. */
class EngineRobustnessTest {
    private LocalEngine engine;

    @AfterEach
    void tearDown() {
        if (engine != null) engine.shutdown(Duration.ofSeconds(5));
    }

    /** A source fed by the test; {@code failures} polls throw before jobs flow. */
    static final class TestSource implements RunSource {
        final LinkedBlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger polls = new AtomicInteger();
        volatile boolean closed;
        volatile boolean throwErrors;

        @Override
        public Job poll(Duration timeout) throws InterruptedException {
            polls.incrementAndGet();
            if (failures.getAndDecrement() > 0) {
                if (throwErrors) throw new AssertionError("source bug");
                throw new IllegalStateException("connection reset");
            }
            return jobs.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    record TestJob(RunRequest request, CopyOnWriteArrayList<RunSnapshot> finished) implements Job {
        @Override
        public void finished(RunSnapshot terminal) {
            finished.add(terminal);
        }
    }

    private static RunRequest request(String graph, Map<String, Object> input) {
        return new RunRequest(RunIds.next(), graph, "default", input, Instant.now());
    }

    @Test
    void slotsSurviveAPollThatThrowsExceptionsOrErrors() throws Exception {
        for (boolean errors : new boolean[]{false, true}) {
            var source = new TestSource();
            source.throwErrors = errors;
            source.failures.set(6);
            var registry = new RunRegistry();
            engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2), GraphCatalog.of(TestGraph.linear("quick", "a", TestGraph.quick())),
                    registry, source);
            Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> source.failures.get() < 0);
            var finished = new CopyOnWriteArrayList<RunSnapshot>();
            for (int i = 0; i < 4; i++) source.jobs.add(new TestJob(request("quick", Map.of()), finished));
            Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> finished.size() == 4);
            assertThat(finished).allMatch(s -> s.status() == RunStatus.COMPLETED);
            assertThat(engine.stats().capacity()).as("no slot lost (errors: %s)", errors).isEqualTo(2);
            engine.shutdown(Duration.ofSeconds(5));
        }
        engine = null;
    }

    @Test
    void aDuplicateJobLeavesTheLiveRunAloneAndIsSettledWhenItEnds() throws Exception {
        var source = new TestSource();
        var registry = new RunRegistry();
        var inNode = new CountDownLatch(1);
        var graph = TestGraph.linear("slow", "wait", (TestGraph.Body) s -> {
            inNode.countDown();
            Thread.sleep(30_000);
            return Map.of();
        });
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2), GraphCatalog.of(graph), registry, source);
        var req = request("slow", Map.of());
        var first = new CopyOnWriteArrayList<RunSnapshot>();
        var second = new CopyOnWriteArrayList<RunSnapshot>();
        source.jobs.add(new TestJob(req, first));
        assertThat(inNode.await(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).isTrue();
        source.jobs.add(new TestJob(req, second)); // redelivered while live
        Awaitility.await().atMost(Hang.IN_PROCESS).until(source.jobs::isEmpty);
        Thread.sleep(100);
        assertThat(registry.get(req.runId()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        assertThat(second).as("not settled while the run lives").isEmpty();
        assertThat(engine.stats().busy()).as("the duplicate holds no slot").isEqualTo(1);

        // the live run's control is still registered: the cancel reaches its node at once
        assertThat(engine.cancel(req.runId())).isEqualTo(CancelOutcome.CANCELLING);
        var end = engine.awaitTerminal(req.runId(), Hang.IN_PROCESS).orElseThrow();
        assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> first.size() == 1 && second.size() == 1);
        assertThat(second.getFirst().status()).isEqualTo(RunStatus.CANCELLED);
        Thread.sleep(100);
        assertThat(first).hasSize(1);
        assertThat(second).hasSize(1);
    }

    @Test
    void capacityCountsTheSlotsThatReallyLive() throws Exception {
        var registry = new RunRegistry();
        var letGo = new CountDownLatch(1);
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2).withCancelGrace(Duration.ofMillis(300)),
                GraphCatalog.of(TestGraph.deafUntil(letGo)), registry);
        assertThat(engine.stats().capacity()).isEqualTo(2);
        var id = engine.submit("deaf", null, Map.of()).runId();
        Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> "ignore-cancel".equals(registry.get(id).orElseThrow().currentNode()));
        engine.cancel(id);
        Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> registry.get(id).orElseThrow().status() == RunStatus.STUCK);
        var stats = engine.stats();
        assertThat(stats.stuck()).isEqualTo(1);
        assertThat(stats.capacity()).as("the stuck slot was replaced, and is not counted").isEqualTo(2);
        assertThat(stats.busy()).isZero();
        // the stuck thread leaves when its node returns; capacity stays
        letGo.countDown();
        Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> engine.stats().stuck() == 0);
        assertThat(engine.stats().capacity()).isEqualTo(2);
    }

    /**
     * The watchdog is held right after it made the run STUCK (at its STUCK log line), and the shutdown
     * starts in that moment: what it sees as STUCK must not be waited for. The node ignores every
     * cancel until the test lets it go, so a shutdown that waited for it would wait for its whole
     * timeout; nothing here depends on how fast the machine is.
     */
    @Test
    void aRunStuckBeforeTheShutdownDoesNotHoldIt() throws Exception {
        var registry = new RunRegistry();
        var inNode = new CountDownLatch(1);
        var letNodeGo = new CountDownLatch(1);
        var deaf = TestGraph.linear("deaf", "ignore-cancel", (TestGraph.Body) s -> {
            inNode.countDown();
            while (true) {
                try {
                    if (letNodeGo.await(1, TimeUnit.MINUTES)) return Map.of();
                } catch (InterruptedException ignored) {
                    // deaf to interrupts, and it never looks at its token
                }
            }
        });
        var stuckPublished = new CountDownLatch(1);
        var letWatchdogGo = new CountDownLatch(1);
        try (var hold = WatchdogHold.atStuck(stuckPublished, letWatchdogGo)) {
            engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1).withCancelGrace(Duration.ofMillis(100)),
                    GraphCatalog.of(deaf), registry);
            var id = engine.submit("deaf", null, Map.of()).runId();
            assertThat(inNode.await(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).isTrue();
            engine.cancel(id);
            assertThat(stuckPublished.await(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).as("the grace ended").isTrue();
            assertThat(registry.get(id).orElseThrow().status()).isEqualTo(RunStatus.STUCK);

            var shutdown = java.util.concurrent.CompletableFuture.supplyAsync(() -> engine.shutdown(Duration.ofMinutes(10)));
            // not a timing claim: a shutdown that waited for the run would take its 10 minutes
            var report = shutdown.get(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS);
            assertThat(letNodeGo.getCount()).as("the node still runs").isOne();
            assertThat(report.notStopped()).as("still reported").containsExactly(id);
            assertThat(registry.get(id).orElseThrow().status()).isEqualTo(RunStatus.STUCK);
        } finally {
            letWatchdogGo.countDown();
            letNodeGo.countDown();
        }
        engine = null;
    }

    /** Holds the watchdog's thread where it reports a run STUCK, until released: the moment the shutdown raced. */
    static final class WatchdogHold extends ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent>
            implements AutoCloseable {
        private final ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(StuckWatchdog.class);
        private final CountDownLatch reached;
        private final CountDownLatch release;

        private WatchdogHold(CountDownLatch reached, CountDownLatch release) {
            this.reached = reached;
            this.release = release;
        }

        static WatchdogHold atStuck(CountDownLatch reached, CountDownLatch release) {
            var hold = new WatchdogHold(reached, release);
            hold.setContext(hold.logger.getLoggerContext());
            hold.start();
            hold.logger.addAppender(hold);
            return hold;
        }

        @Override
        protected void append(ch.qos.logback.classic.spi.ILoggingEvent event) {
            if (!event.getFormattedMessage().contains(": STUCK")) return;
            reached.countDown();
            try {
                release.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            logger.detachAppender(this);
            stop();
        }
    }
}
