package dev.tether.engine;

import dev.tether.catalog.GraphCatalog;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelOrigin;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing starts once a shutdown has begun: a job a slot takes in that moment (a claim that returns
 * just as the source is closed) is cancelled before it starts, and a submit racing the shutdown
 * either is refused or ends cancelled, never left QUEUED with no one to take it.
 */
class ShutdownStartRaceTest {

    /** A source whose one job comes back from a poll only after the shutdown closed it. */
    static final class LateClaim implements RunSource {
        final RunRequest request = new RunRequest(RunIds.next(), "g", "default", Map.of(), Instant.now());
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicBoolean handed = new AtomicBoolean();
        final List<RunSnapshot> finished = new CopyOnWriteArrayList<>();

        @Override
        public Job poll(Duration timeout) throws InterruptedException {
            if (handed.compareAndSet(false, true)) {
                closed.await();
                Thread.sleep(50); // the claim completes a moment after the shutdown began
                return new Job() {
                    public RunRequest request() {
                        return request;
                    }

                    public void finished(RunSnapshot terminal) {
                        finished.add(terminal);
                    }
                };
            }
            Thread.sleep(timeout.toMillis());
            return null;
        }

        @Override
        public boolean isClosed() {
            return closed.getCount() == 0;
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    @Test
    void aJobClaimedAsTheShutdownBeginsNeverStarts() throws Exception {
        var ran = new AtomicInteger();
        var registry = new RunRegistry();
        var source = new LateClaim();
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1),
                GraphCatalog.of(TestGraph.linear("g", "a", (TestGraph.Body) s -> {
                    ran.incrementAndGet();
                    return Map.of();
                })), registry, source);
        Thread.sleep(100); // the slot waits in its poll
        engine.shutdown(Duration.ofSeconds(5));
        var run = registry.get(source.request.runId());
        assertThat(ran.get()).as("nodes that ran after the shutdown began").isZero();
        assertThat(run).isPresent();
        assertThat(run.get().status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.get().startedAt()).as("it never started").isNull();
        assertThat(run.get().cancelOrigin()).isEqualTo(CancelOrigin.SHUTDOWN);
        assertThat(source.finished).as("the job is settled, once").hasSize(1);
    }

    @RepeatedTest(20)
    void submitsRacingAShutdownAreRefusedOrEndCancelledNeverLeftQueued() throws Exception {
        var registry = new RunRegistry(100_000);
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2),
                GraphCatalog.of(TestGraph.linear("g", "a", TestGraph.quick())), registry);
        var accepted = new ConcurrentLinkedQueue<String>();
        var go = new CountDownLatch(1);
        var submitters = new java.util.ArrayList<Thread>();
        for (int t = 0; t < 3; t++) {
            submitters.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    for (int i = 0; i < 2_000; i++) accepted.add(engine.submit("g", null, Map.of()).runId());
                } catch (IllegalStateException refused) {
                    // the shutdown began: refused with the reason
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        go.countDown();
        Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 20));
        engine.shutdown(Duration.ofSeconds(10));
        for (var t : submitters) t.join();
        for (var id : accepted) {
            assertThat(registry.get(id)).as("run %s", id).hasValueSatisfying(r -> assertThat(r.isTerminal()).as("%s is %s", id, r.status()).isTrue());
        }
    }
}
