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
}
