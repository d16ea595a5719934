package dev.tether.engine;

import dev.tether.testing.Hang;

import dev.tether.api.Cancellation;
import dev.tether.catalog.GraphCatalog;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelMode;
import dev.tether.run.CancelOutcome;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import dev.tether.store.SqliteCheckpointStore;
import dev.tether.store.TetherDatabase;
import org.awaitility.Awaitility;
import org.bsc.langgraph4j.checkpoint.BaseCheckpointSaver;
import org.bsc.langgraph4j.checkpoint.MemorySaver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Resume after cancel, with the in-memory saver and the embedded SQLite store: a resume is a new
 * attempt that starts from a checkpoint of the old one, and only the nodes after it run again.
 */
class ResumeTest {
    @TempDir Path dir;

    /** Every node that really started, in order, across attempts. */
    private final List<String> executed = new CopyOnWriteArrayList<>();
    /** While set, node c waits (cooperatively) to be cancelled. */
    private final AtomicBoolean cBlocks = new AtomicBoolean(true);
    private final List<AutoCloseable> closing = new ArrayList<>();

    private TestGraph graph() {
        return TestGraph.linear("abcd",
                "a", body("a"),
                "b", body("b"),
                "c", (TestGraph.Body) s -> {
                    executed.add("c");
                    if (cBlocks.get()) Cancellation.current().sleep(Duration.ofSeconds(30));
                    return Map.of("c", "done");
                },
                "d", (TestGraph.Body) s -> {
                    executed.add("d");
                    // the state of the earlier attempt came through the checkpoint
                    return Map.of("d", s.value("a").orElse("missing") + "+" + s.value("b").orElse("missing") + "+" + s.value("c").orElse("missing"));
                });
    }

    private TestGraph.Body body(String name) {
        return s -> {
            executed.add(name);
            return Map.of(name, name.toUpperCase());
        };
    }

    private LocalEngine engine(String store, RunRegistry registry) {
        BaseCheckpointSaver saver = switch (store) {
            case "memory" -> new MemorySaver();
            case "sqlite" -> {
                var db = TetherDatabase.open(dir.resolve("tether.db"));
                closing.add(db);
                yield new SqliteCheckpointStore(db, SqliteCheckpointStore.Limits.DEFAULT);
            }
            default -> throw new IllegalArgumentException(store);
        };
        var config = EngineConfig.defaults().withConcurrency(2).withCancelGrace(Duration.ofSeconds(5)).withCheckpointSaver(saver);
        var engine = new LocalEngine(config, GraphCatalog.of(List.of(graph())), registry);
        closing.addFirst(() -> engine.shutdown(Duration.ofSeconds(10)));
        return engine;
    }

    @AfterEach
    void close() throws Exception {
        for (var c : closing) c.close();
    }

    /**
     * The rollback is on record in the store before it is answered: a run still in its node (an
     * after-node stop lets it finish) whose process then dies is found LOST by the next one, and its
     * checkpoints go all the same; nothing is left to resume.
     */
    @org.junit.jupiter.api.Test
    void aRollbackAnsweredBeforeTheProcessDiedStillDiscardsTheCheckpointsOfTheRunFoundLost() throws Exception {
        var engine = engine("sqlite", new RunRegistry());
        var id = engine.submit("abcd", null, Map.of()).runId();
        Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> "c".equals(engine.registry().get(id).orElseThrow().currentNode()));
        assertThat(engine.cancel(id, CancelRequest.of(StopLevel.AFTER_NODE).withMode(CancelMode.ROLLBACK)))
                .isEqualTo(CancelOutcome.CANCELLING);

        // what the next process sees of the same file, while this one's run has not ended
        try (var db = TetherDatabase.open(dir.resolve("tether.db"))) {
            var next = new SqliteCheckpointStore(db, SqliteCheckpointStore.Limits.DEFAULT);
            assertThat(next.describe(id)).as("a, b kept until the run's end").isNotEmpty();
            next.ended(id, false, java.util.Set.of()); // found LOST: an end that keeps checkpoints for a resume
            assertThat(next.describe(id)).isEmpty();
        }
    }

    private RunSnapshot cancelledInC(LocalEngine engine, CancelMode mode) throws InterruptedException {
        var id = engine.submit("abcd", null, Map.of()).runId();
        Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> "c".equals(engine.registry().get(id).orElseThrow().currentNode()));
        engine.cancel(id, CancelRequest.DEFAULT.withMode(mode));
        return engine.awaitTerminal(id, Hang.IN_PROCESS).orElseThrow();
    }

    private static RunSnapshot finished(LocalEngine engine, String id) throws InterruptedException {
        return engine.awaitTerminal(id, Hang.IN_PROCESS).orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite"})
    void aCancelledRunResumesAfterItsLastCompletedNodeAndOnlyLaterNodesRunAgain(String store) throws Exception {
        var engine = engine(store, new RunRegistry());
        var first = cancelledInC(engine, CancelMode.INTERRUPT);
        assertThat(first.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(engine.checkpoints(first.runId())).extracting(CheckpointInfo::node).containsExactly("__START__", "a", "b");

        cBlocks.set(false);
        executed.clear();
        var second = engine.resume(first.runId(), null);
        assertThat(second.resumeOf().runId()).isEqualTo(first.runId());
        assertThat(second.resumeOf().node()).isEqualTo("b");
        var end = finished(engine, second.runId());

        assertThat(end.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(executed).containsExactly("c", "d");
        assertThat(end.steps()).isEqualTo(2);
        assertThat(engine.attempts(second.runId())).extracting(RunSnapshot::runId).containsExactly(first.runId(), second.runId());
        assertThat(engine.attempts(first.runId())).extracting(RunSnapshot::runId).containsExactly(first.runId(), second.runId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite"})
    void resumeFromAnEarlierNodeRunsEverythingAfterIt(String store) throws Exception {
        var engine = engine(store, new RunRegistry());
        var first = cancelledInC(engine, CancelMode.INTERRUPT);
        cBlocks.set(false);
        executed.clear();
        var second = engine.resume(first.shortId(), "a");
        assertThat(finished(engine, second.runId()).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(executed).containsExactly("b", "c", "d");

        executed.clear(); // and from the very start, with the same input
        var third = engine.resume(first.runId(), "__START__");
        assertThat(finished(engine, third.runId()).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(executed).containsExactly("a", "b", "c", "d");
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite"})
    void rollbackDiscardsTheCheckpointsSoNothingCanResume(String store) throws Exception {
        var engine = engine(store, new RunRegistry());
        var first = cancelledInC(engine, CancelMode.ROLLBACK);
        assertThat(first.status()).isEqualTo(RunStatus.CANCELLED);
        Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> engine.checkpoints(first.runId()).isEmpty());
        assertThatThrownBy(() -> engine.resume(first.runId(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no checkpoints");
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite"})
    void rollbackOfARunThatAlreadyEndedDiscardsWhatItKept(String store) throws Exception {
        var engine = engine(store, new RunRegistry());
        var first = cancelledInC(engine, CancelMode.INTERRUPT);
        assertThat(engine.checkpoints(first.runId())).isNotEmpty();
        assertThat(engine.cancel(first.runId(), CancelRequest.DEFAULT.withMode(CancelMode.ROLLBACK))).isEqualTo(CancelOutcome.ALREADY_FINISHED);
        assertThat(engine.checkpoints(first.runId())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite"})
    void badResumeRequestsAreClearErrorsAndStartNothing(String store) throws Exception {
        var engine = engine(store, new RunRegistry());
        var running = engine.submit("abcd", null, Map.of()).runId();
        Awaitility.await().until(() -> "c".equals(engine.registry().get(running).orElseThrow().currentNode()));
        assertThatThrownBy(() -> engine.resume(running, null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cancel it before resuming it");
        engine.cancel(running);
        finished(engine, running);
        int runs = engine.registry().size();
        assertThatThrownBy(() -> engine.resume(running, "d")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no checkpoint after node 'd'").hasMessageContaining("__START__, a, b");
        assertThatThrownBy(() -> engine.resume(dev.tether.run.RunIds.next(), null)).isInstanceOf(java.util.NoSuchElementException.class);
        assertThat(engine.registry().size()).isEqualTo(runs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite"})
    void aCompletedRunKeepsNoCheckpoints(String store) throws Exception {
        cBlocks.set(false);
        var engine = engine(store, new RunRegistry());
        var id = engine.submit("abcd", null, Map.of()).runId();
        assertThat(finished(engine, id).status()).isEqualTo(RunStatus.COMPLETED);
        Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> engine.checkpoints(id).isEmpty());
    }

    @org.junit.jupiter.api.Test
    void theEmbeddedStoreResumesARunOfAnEarlierProcess() throws Exception {
        var registry = new RunRegistry();
        var before = engine("sqlite", registry);
        var first = cancelledInC(before, CancelMode.INTERRUPT);
        before.shutdown(Duration.ofSeconds(5));

        // A new engine, as after a restart: the run is known only to the archive (the durable history).
        cBlocks.set(false);
        executed.clear();
        var after = engine("sqlite", new RunRegistry());
        after.archive(runId -> runId.equals(first.runId()) ? Optional.of(first) : Optional.empty());
        var second = after.resume(first.runId(), null);
        var end = finished(after, second.runId());
        assertThat(end.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(executed).containsExactly("c", "d");
    }
}
