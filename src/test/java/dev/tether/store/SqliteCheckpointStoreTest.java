package dev.tether.store;

import dev.tether.engine.CheckpointCodec;
import dev.tether.engine.CheckpointInfo;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.checkpoint.Checkpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteCheckpointStoreTest {
    @TempDir Path dir;
    TetherDatabase db;

    @BeforeEach
    void open() {
        db = TetherDatabase.open(dir.resolve("tether.db"));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static RunnableConfig run(String id) {
        return RunnableConfig.builder().threadId(id).build();
    }

    private static Checkpoint cp(String node, String next, Map<String, Object> state) {
        return Checkpoint.builder().nodeId(node).nextNodeId(next).state(state).build();
    }

    private static void write(SqliteCheckpointStore store, String runId, String... nodes) throws Exception {
        for (int i = 0; i < nodes.length; i++) {
            store.put(run(runId), cp(nodes[i], i + 1 < nodes.length ? nodes[i + 1] : "__END__", Map.of("at", nodes[i], "n", i)));
        }
    }

    @Test
    void statesComeBackWithTheirTypesWhetherJsonCanCarryThemOrNot() throws Exception {
        var store = new SqliteCheckpointStore(db, SqliteCheckpointStore.Limits.DEFAULT);
        var plain = Map.<String, Object>of("s", "text", "i", 3, "d", 2.5, "b", true, "l", List.of("x", 1), "m", Map.of("k", "v"));
        var typed = Map.<String, Object>of("long", 5L, "float", 1.5f, "when", java.time.Instant.parse("2026-01-01T00:00:00Z"));
        store.put(run("a"), cp("__START__", "one", plain));
        store.put(run("a"), cp("one", "__END__", typed));

        var list = new ArrayList<>(store.list(run("a"))); // newest first
        assertThat(list.get(0).getState()).isEqualTo(typed);
        assertThat(list.get(0).getState().get("long")).isInstanceOf(Long.class);
        assertThat(list.get(1).getState()).isEqualTo(plain);
        assertThat(store.get(run("a")).orElseThrow().getNodeId()).isEqualTo("one");
        assertThat(store.describe("a")).extracting(CheckpointInfo::node).containsExactly("__START__", "one");
        assertThat(store.describe("a")).allSatisfy(c -> assertThat(c.bytes()).isPositive());
    }

    @Test
    void aDamagedRowIsReportedForItsRunAndNeverUsed() throws Exception {
        var store = new SqliteCheckpointStore(db, SqliteCheckpointStore.Limits.DEFAULT);
        write(store, "r", "__START__", "a", "b", "c");
        db.write(c -> c.createStatement().executeUpdate(
                "UPDATE checkpoint SET state = substr(state, 1, 5) WHERE thread_id = 'r' AND node = 'c'")); // truncated
        db.write(c -> c.createStatement().executeUpdate(
                "UPDATE checkpoint SET format = 'GARBAGE' WHERE thread_id = 'r' AND node = 'a'"));

        var described = store.describe("r");
        assertThat(described).extracting(CheckpointInfo::readable).containsExactly(true, false, true, false);
        assertThat(described.get(3).error()).contains("checksum mismatch");
        assertThatThrownBy(() -> store.get(run("r"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("checkpoint after node 'c' of run r is unreadable");
        assertThatThrownBy(() -> store.fork("r", "r2", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unreadable").hasMessageContaining("it can resume after: __START__, b");

        var from = store.fork("r", "r2", "b");
        assertThat(from.node()).isEqualTo("b");
        assertThat(store.get(run("r2")).orElseThrow().getNodeId()).isEqualTo("b");
        assertThat(store.describe("r2")).hasSize(3);
    }

    @Test
    void retentionKeepsTheNewestEndedRunsWithinCountAndBytesAndNeverTouchesLiveOnes() throws Exception {
        var store = new SqliteCheckpointStore(db, new SqliteCheckpointStore.Limits(2, Long.MAX_VALUE, 1_000));
        for (var id : List.of("r1", "r2", "r3")) {
            write(store, id, "__START__", "a");
            store.ended(id, false, Set.of("live"));
        }
        write(store, "live", "__START__");
        assertThat(store.describe("r1")).isEmpty();
        assertThat(store.describe("r2")).hasSize(2);
        assertThat(store.describe("r3")).hasSize(2);
        assertThat(store.describe("live")).hasSize(1);

        var small = new SqliteCheckpointStore(db, new SqliteCheckpointStore.Limits(100, store.storedBytes() - 1, 1_000));
        small.ended("r3", false, Set.of("live", "r3"));
        assertThat(store.describe("r2")).as("oldest ended run evicted for bytes").isEmpty();
        assertThat(store.describe("r3")).hasSize(2);
        assertThat(store.describe("live")).hasSize(1);
    }

    @Test
    void aRunKeepsItsNewestCheckpointsUpToItsLimit() throws Exception {
        var store = new SqliteCheckpointStore(db, new SqliteCheckpointStore.Limits(10, Long.MAX_VALUE, 3));
        write(store, "loop", "__START__", "a", "b", "c", "d", "e");
        assertThat(store.describe("loop")).extracting(CheckpointInfo::node).containsExactly("c", "d", "e");
    }

    @Test
    void aCompletedOrRolledBackRunKeepsNothing() throws Exception {
        var store = new SqliteCheckpointStore(db, SqliteCheckpointStore.Limits.DEFAULT);
        write(store, "done", "__START__", "a");
        store.ended("done", true, Set.of());
        assertThat(store.describe("done")).isEmpty();
        assertThat(store.storedBytes()).isZero();
    }

    /**
     * A rollback asked of a live run is on record in the file: when the process died before the run's
     * end and the next one finds it LOST (an end that keeps checkpoints), they go all the same, the ones
     * written after the ask too. Another run's stay.
     */
    @Test
    void aRollbackOnRecordDiscardsTheCheckpointsOfARunFoundLostByTheNextProcess() throws Exception {
        var before = new SqliteCheckpointStore(db, SqliteCheckpointStore.Limits.DEFAULT);
        write(before, "rolled", "__START__", "a");
        write(before, "other", "__START__", "a");
        before.rollbackAsked("rolled");
        before.put(run("rolled"), cp("b", "c", Map.of("late", true))); // the run goes on until it sees the stop
        db.close(); // the process dies before the run's end

        db = TetherDatabase.open(dir.resolve("tether.db"));
        var after = new SqliteCheckpointStore(db, SqliteCheckpointStore.Limits.DEFAULT);
        after.ended("rolled", false, Set.of()); // found LOST: an end that would keep them for a resume
        after.ended("other", false, Set.of());
        assertThat(after.describe("rolled")).isEmpty();
        assertThat(after.describe("other")).as("no rollback was asked of it").hasSize(2);
    }

    @Test
    void aRollbackAskedOfARunWithNoCheckpointYetCoversTheOnesItWritesAfter() throws Exception {
        var store = new SqliteCheckpointStore(db, SqliteCheckpointStore.Limits.DEFAULT);
        store.rollbackAsked("fresh");
        write(store, "fresh", "__START__");
        store.ended("fresh", false, Set.of());
        assertThat(store.describe("fresh")).isEmpty();
    }

    @Test
    void aStateNeitherJsonNorSerializableIsSkippedAndTheRunGoesOn() throws Exception {
        var store = new SqliteCheckpointStore(db, SqliteCheckpointStore.Limits.DEFAULT);
        store.put(run("odd"), cp("__START__", "a", Map.of("thread", new Object())));
        assertThat(store.describe("odd")).isEmpty();
    }

    @Test
    void theCodecRefusesJavaSerializationWhereItIsNotAllowed() {
        assertThat(CheckpointCodec.encode(Map.of("x", 1), false).format()).isEqualTo(CheckpointCodec.Format.JSON);
        var longs = CheckpointCodec.encode(Map.of("seed", 5L, "f", 1.5f, "nested", List.of(Map.of("n", 7L))), false);
        assertThat(longs.format()).as("longs and floats are tagged, still JSON").isEqualTo(CheckpointCodec.Format.JSON);
        assertThat(CheckpointCodec.decode(longs.format(), longs.bytes(), longs.checksum()))
                .isEqualTo(Map.of("seed", 5L, "f", 1.5f, "nested", List.of(Map.of("n", 7L))));
        assertThatThrownBy(() -> CheckpointCodec.encode(Map.of("when", java.time.Instant.EPOCH), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'when' is a java.time.Instant");
        assertThatThrownBy(() -> CheckpointCodec.encode(Map.of("nan", Double.NaN), false)).hasMessageContaining("non-finite");
    }

    @Test
    void checkpointsSurviveReopeningTheFile() throws Exception {
        var store = new SqliteCheckpointStore(db, SqliteCheckpointStore.Limits.DEFAULT);
        write(store, "kept", "__START__", "a", "b");
        db.close();
        db = TetherDatabase.open(dir.resolve("tether.db"));
        var again = new SqliteCheckpointStore(db, SqliteCheckpointStore.Limits.DEFAULT);
        assertThat(again.describe("kept")).extracting(CheckpointInfo::node).containsExactly("__START__", "a", "b");
        assertThat(again.get(run("kept")).orElseThrow().getState()).containsEntry("at", "b");
    }
}
