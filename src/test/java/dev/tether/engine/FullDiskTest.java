package dev.tether.engine;

import dev.tether.testing.Hang;

import dev.tether.api.Cancellation;
import dev.tether.catalog.GraphCatalog;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.store.RunHistory;
import dev.tether.store.SqliteCheckpointStore;
import dev.tether.store.TetherDatabase;
import dev.tether.testing.FullDisk;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full disk under tether.db: a checkpoint the store refuses costs a resume point, a history write
 * it refuses waits for space, and no run is lost or failed by it; when space returns, the store takes
 * writes again and the history catches up. Run with a real full tmpfs where the machine lets the test
 * mount one, and always with a store that refuses every write (the fault available everywhere).
 */
@Tag("process")
class FullDiskTest {
    @TempDir Path dir;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final CountDownLatch inTwo = new CountDownLatch(1);
    private final CountDownLatch inB = new CountDownLatch(1);
    private final CountDownLatch passTwo = new CountDownLatch(1);

    @AfterEach
    void close() throws Exception {
        for (var c : closing.reversed()) c.close();
    }

    /**
     * steps: one, two (held until the test lets it pass), three, four (waits for its cancel); gated: a,
     * b (held as two is); quick: two quick nodes.
     */
    private GraphCatalog graphs() {
        var steps = TestGraph.linear("steps",
                "one", (TestGraph.Body) s -> Map.of("one", "1"),
                "two", (TestGraph.Body) s -> {
                    inTwo.countDown();
                    assertThat(passTwo.await(30, TimeUnit.SECONDS)).isTrue();
                    return Map.of("two", "2");
                },
                "three", (TestGraph.Body) s -> Map.of("three", "3"),
                "four", (TestGraph.Body) s -> {
                    Cancellation.current().sleep(Duration.ofMinutes(1));
                    return Map.of("four", "4");
                });
        var gated = TestGraph.linear("gated", "a", (TestGraph.Body) s -> Map.of("a", "1"),
                "b", (TestGraph.Body) s -> {
                    inB.countDown();
                    assertThat(passTwo.await(30, TimeUnit.SECONDS)).isTrue();
                    return Map.of("b", "2");
                });
        var quick = TestGraph.linear("quick", "a", (TestGraph.Body) s -> Map.of("a", "x".repeat(2_000)),
                "b", (TestGraph.Body) s -> Map.of("b", "y".repeat(2_000)));
        return GraphCatalog.of(List.of(steps, gated, quick));
    }

    private FullDisk disk(String kind) throws IOException {
        var disk = kind.equals("best") ? FullDisk.create(dir) : FullDisk.refusingStore(dir);
        closing.add(disk);
        System.out.println("full disk: " + disk.kind());
        return disk;
    }

    /** The store, history and engine as the console and serve wire them. */
    private record Stack(LocalEngine engine, RunHistory history, SqliteCheckpointStore checkpoints, RunRegistry registry,
                         TetherDatabase db) implements AutoCloseable {
        @Override
        public void close() {
            engine.shutdown(Duration.ofSeconds(10));
            history.close();
            db.close();
        }
    }

    private Stack stack(Path file) {
        var registry = new RunRegistry();
        var db = TetherDatabase.open(file);
        var checkpoints = new SqliteCheckpointStore(db, SqliteCheckpointStore.Limits.DEFAULT);
        var history = RunHistory.open(file);
        try {
            history.recoverLost(registry);
        } catch (dev.tether.store.StoreException notOpenYet) {
            // as serve does: the watch looks again (not needed here: no process died)
        }
        history.attach(registry);
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(3).withCheckpointSaver(checkpoints), graphs(), registry);
        engine.archive(history);
        var stack = new Stack(engine, history, checkpoints, registry, db);
        closing.add(stack);
        return stack;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"best", "refusing-store"})
    void aFullDiskCostsResumePointsAndHistoryRowsButNoRunAndTheStoreRecoversWhenSpaceReturns(String kind) throws Exception {
        var disk = disk(kind);
        var s = stack(disk.storeFile());
        var before = s.engine.submit("quick", null, Map.of()).runId();
        assertThat(await(s, before).status()).isEqualTo(RunStatus.COMPLETED);
        var held = s.engine.submit("steps", null, Map.of()).runId();
        assertThat(inTwo.await(10, TimeUnit.SECONDS)).isTrue(); // `one` is checkpointed
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> s.history.find(held).isPresent()); // and in the history
        var completesDuring = s.engine.submit("gated", null, Map.of()).runId();
        assertThat(inB.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(s.checkpoints.describe(completesDuring)).extracting(CheckpointInfo::node).containsExactly("__START__", "a");

        disk.fill();
        var during = new ArrayList<String>();
        for (int i = 0; i < 5; i++) during.add(s.engine.submit("quick", null, Map.of()).runId());
        passTwo.countDown(); // two and three finish while nothing can be written
        for (var id : during) assertThat(await(s, id).status()).as("a run on a full disk").isEqualTo(RunStatus.COMPLETED);
        assertThat(await(s, completesDuring).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(s.checkpoints.describe(completesDuring)).as("its discard was refused too").isNotEmpty();
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> "four".equals(s.registry.get(held).orElseThrow().currentNode()));
        s.engine.cancel(held);
        assertThat(await(s, held).status()).isEqualTo(RunStatus.CANCELLED);
        Thread.sleep(300); // the history writer has tried (20 ms batches) and been refused
        assertThat(s.history.find(during.getFirst())).as("refused: not in the history yet").isEmpty();
        assertThat(s.history.find(held).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);

        disk.free();
        for (var id : during) {
            Awaitility.await().atMost(Hang.ACROSS_PROCESSES)
                    .until(() -> s.history.find(id).map(RunSnapshot::status).orElse(null) == RunStatus.COMPLETED);
        }
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES)
                .until(() -> s.history.find(held).orElseThrow().status() == RunStatus.CANCELLED);
        // the checkpoints after two and three were refused: its resume point is after one
        assertThat(s.checkpoints.describe(held)).extracting(CheckpointInfo::node).containsExactly("__START__", "one");
        var resumed = s.engine.resume(held, null);
        assertThat(resumed.resumeOf().node()).isEqualTo("one");
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> "four".equals(s.registry.get(resumed.runId()).orElseThrow().currentNode()));
        assertThat(s.checkpoints.describe(resumed.runId())).as("checkpoints are written again")
                .extracting(CheckpointInfo::node).containsExactly("__START__", "one", "two", "three");
        s.engine.cancel(resumed.runId());
        assertThat(await(s, resumed.runId()).status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(s.checkpoints.describe(completesDuring)).as("the end it could not record is recorded now: nothing left behind").isEmpty();
        assertThat(s.registry.all()).extracting(RunSnapshot::status).doesNotContain(RunStatus.FAILED, RunStatus.LOST);
    }

    /**
     * Started on a full disk: with the file open elsewhere (a console beside), or with nothing open,
     * when SQLite cannot even create its shared-memory file and the open itself fails; either way the
     * runs go on, and the store is opened and written once space returns.
     */
    @ParameterizedTest(name = "{0}, file kept open elsewhere: {1}")
    @org.junit.jupiter.params.provider.CsvSource({"best, true", "best, false", "refusing-store, true", "refusing-store, false"})
    void aStoreFullAtStartUpCostsNoRunAndIsWrittenWhenSpaceReturns(String kind, boolean keptOpen) throws Exception {
        var disk = disk(kind);
        var first = stack(disk.storeFile());
        var earlier = first.engine.submit("quick", null, Map.of()).runId();
        assertThat(await(first, earlier).status()).isEqualTo(RunStatus.COMPLETED);
        if (keptOpen) closing.add(TetherDatabase.open(disk.storeFile()));
        first.close(); // with nothing else open, the connection closes and SQLite removes its -wal and -shm files
        closing.remove(first);

        disk.fill();
        var s = stack(disk.storeFile()); // started while nothing can be written
        var id = s.engine.submit("quick", null, Map.of()).runId();
        assertThat(await(s, id).status()).isEqualTo(RunStatus.COMPLETED);
        Thread.sleep(300);
        assertThat(statusInHistory(s, id)).as("not written yet").isNull();

        disk.free();
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> statusInHistory(s, id) == RunStatus.COMPLETED);
        assertThat(statusInHistory(s, earlier)).isEqualTo(RunStatus.COMPLETED);
        var later = s.engine.submit("steps", null, Map.of()).runId();
        passTwo.countDown();
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> "four".equals(s.registry.get(later).orElseThrow().currentNode()));
        assertThat(s.checkpoints.describe(later)).as("checkpoints are written").extracting(CheckpointInfo::node)
                .containsExactly("__START__", "one", "two", "three");
    }

    /** The run's status in the history, or null while it is not there (or the store cannot be read yet). */
    private static RunStatus statusInHistory(Stack s, String id) {
        try {
            return s.history.find(id).map(RunSnapshot::status).orElse(null);
        } catch (dev.tether.store.StoreException notOpenYet) {
            return null;
        }
    }

    private static RunSnapshot await(Stack s, String id) throws InterruptedException {
        return s.engine.awaitTerminal(id, Duration.ofSeconds(20)).orElseThrow(() -> new AssertionError("not ended: " + s.registry.get(id)));
    }
}
