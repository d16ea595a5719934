package dev.tether.engine;

import dev.tether.catalog.GraphCatalog;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.testing.Hang;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's journal (the durable history) has a run as accepted before its submit is answered,
 * and as started before its first node runs: a process killed inside that node leaves on record a run
 * that started (found LOST by the next start), never one that "never started" yet ran a node. Found by
 * the thread-mode soak (a resume's node ran, serve was SIGKILLed, its record said it never started).
 */
class RunJournalTest {
    @Test
    void aRunIsOnRecordAsAcceptedBeforeItsSubmitIsAnsweredAndAsStartedBeforeItsFirstNode() throws Exception {
        var recorded = new CopyOnWriteArrayList<RunSnapshot>();
        var seenByTheNode = new CompletableFuture<List<RunSnapshot>>();
        var graph = TestGraph.linear("journaled", "first", (TestGraph.Body) s -> {
            seenByTheNode.complete(List.copyOf(recorded));
            return Map.of();
        });
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1), GraphCatalog.of(graph), new RunRegistry());
        try {
            engine.journal(recorded::add);
            var id = engine.submit("journaled", null, Map.of()).runId();
            assertThat(recorded).as("on record when the submit is answered").anyMatch(r -> r.runId().equals(id));

            var before = seenByTheNode.get(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS);
            assertThat(before).as("on record as started when its first node runs")
                    .anyMatch(r -> r.runId().equals(id) && r.status() == RunStatus.RUNNING && r.startedAt() != null);
        } finally {
            engine.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void aCancelThatEndsAQueuedRunHasItOnRecordAsCancelledBeforeTheCancelIsAnswered() throws Exception {
        var letGo = new java.util.concurrent.CountDownLatch(1);
        var recorded = new CopyOnWriteArrayList<RunSnapshot>();
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1), GraphCatalog.of(holding(new java.util.concurrent.CountDownLatch(1), letGo)), new RunRegistry());
        try {
            engine.journal(recorded::add);
            engine.submit("holding", null, Map.of()); // holds the one slot
            var queued = engine.submit("holding", null, Map.of()).runId();

            assertThat(engine.cancel(queued)).isEqualTo(dev.tether.run.CancelOutcome.CANCELLED_BEFORE_START);
            assertThat(recorded).as("on record as cancelled when the cancel is answered (found by the thread-mode soak:"
                            + " serve SIGKILLed right after the answer left the run active, and its next start called it LOST)")
                    .anyMatch(r -> r.runId().equals(queued) && r.status() == RunStatus.CANCELLED);
        } finally {
            letGo.countDown();
            engine.shutdown(Duration.ofSeconds(5));
        }
    }

    @Test
    void aBulkCancelWritesTheQueuedRunsItEndedInOneGoBeforeItAnswers() throws Exception {
        var letGo = new java.util.concurrent.CountDownLatch(1);
        var entered = new java.util.concurrent.CountDownLatch(1);
        var batches = new CopyOnWriteArrayList<List<RunSnapshot>>();
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1), GraphCatalog.of(holding(entered, letGo)), new RunRegistry());
        try {
            engine.journal(new RunJournal() {
                @Override
                public void accepted(RunSnapshot run) {
                    batches.add(List.of(run));
                }

                @Override
                public void acceptedAll(java.util.Collection<RunSnapshot> runs) {
                    batches.add(List.copyOf(runs));
                }
            });
            engine.submit("holding", null, Map.of());
            assertThat(entered.await(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).as("the slot is held").isTrue();
            var queued = new java.util.ArrayList<String>();
            for (int i = 0; i < 5; i++) queued.add(engine.submit("holding", null, Map.of()).runId());
            batches.clear();

            BulkCancel.of(engine, queued, dev.tether.run.CancelRequest.by(dev.tether.run.CancelOrigin.API), Duration.ZERO);

            assertThat(batches).as("one write for the five, not five").hasSize(1);
            assertThat(batches.getFirst()).extracting(RunSnapshot::runId).containsExactlyElementsOf(queued);
            assertThat(batches.getFirst()).allMatch(r -> r.status() == RunStatus.CANCELLED);
        } finally {
            letGo.countDown();
            engine.shutdown(Duration.ofSeconds(5));
        }
    }

    /** One node that says it has {@code entered}, then waits for {@code letGo} (or a cancel). */
    private static TestGraph holding(java.util.concurrent.CountDownLatch entered, java.util.concurrent.CountDownLatch letGo) {
        return TestGraph.linear("holding", "hold", (TestGraph.Body) s -> {
            entered.countDown();
            letGo.await();
            return Map.of();
        });
    }
}
