package dev.tether.engine;

import dev.tether.testing.Gadget;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Java-serialised states are read back through an allow-list with limits that scale with the record:
 * what a state may hold comes back, anything else is refused before it is instantiated, and a tiny
 * record cannot make the reader allocate a huge array.
 */
class CheckpointCodecTest {
    /** A graph's own class: in the package of {@link TestGraph}. */
    record Note(String text, int stars) implements Serializable {}

    static final StateClasses TEST_GRAPH = StateClasses.of(TestGraph.linear("g", "a", TestGraph.quick()));

    static CheckpointCodec.Encoded java(Map<String, Object> state) {
        var enc = CheckpointCodec.encode(state, true);
        assertThat(enc.format()).isEqualTo(CheckpointCodec.Format.JAVA);
        return enc;
    }

    @Test
    void aHundredByteRecordDeclaringAHugeArrayIsRefusedBeforeAnythingIsAllocated() {
        var enc = java(new LinkedHashMap<>(Map.of("x", new long[]{0x1122334455667788L})));
        var bytes = enc.bytes().clone();
        // the array's length (1) precedes its one element: make it two billion
        int at = indexOf(bytes, new byte[]{0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44});
        assertThat(at).isPositive();
        bytes[at] = 0x7f;
        bytes[at + 1] = (byte) 0xff;
        bytes[at + 2] = (byte) 0xff;
        bytes[at + 3] = (byte) 0xf0;
        assertThat(bytes.length).isLessThan(200);
        assertThatThrownBy(() -> CheckpointCodec.decode(CheckpointCodec.Format.JAVA, bytes, CheckpointCodec.checksum(bytes)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refused java state: an array of 2147483632 elements in a record of " + bytes.length + " bytes");
    }

    @Test
    void aGadgetClassOnTheClassPathIsNeverInstantiated() {
        var enc = java(new LinkedHashMap<>(Map.of("g", new Gadget())));
        int before = Gadget.READ.get();
        assertThatThrownBy(() -> CheckpointCodec.decode(enc.format(), enc.bytes(), enc.checksum()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dev.tether.testing.Gadget is not a type a state may hold");
        // nor for a graph: it is not one of the graph's own classes
        assertThatThrownBy(() -> CheckpointCodec.decodingFor(TEST_GRAPH, () -> CheckpointCodec.decode(enc.format(), enc.bytes(), enc.checksum())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Gadget.READ.get()).as("times its readObject ran").isEqualTo(before);
    }

    @Test
    void jdkValuesAndCollectionsComeBack() {
        var tree = new TreeMap<String, Integer>(Collections.reverseOrder());
        tree.put("a", 1);
        tree.put("b", 2);
        var state = new LinkedHashMap<String, Object>();
        state.put("date", LocalDate.of(2026, 12, 4));
        state.put("instant", Instant.ofEpochSecond(1_800_000_000L));
        state.put("duration", Duration.ofMillis(1500));
        state.put("uuid", UUID.fromString("0b9ad3a4-2b1f-4c55-a3f3-0a3f8d3c1e11"));
        state.put("money", new BigDecimal("12.50"));
        state.put("immutable", List.of(1, 2, 3));
        state.put("map", Map.of("k", "v"));
        state.put("tree", tree);
        state.put("days", EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.FRIDAY));
        state.put("unmodifiable", Collections.unmodifiableList(new LinkedList<>(List.of("x"))));
        state.put("deque", new ArrayDeque<>(List.of(1L, 2L)));
        state.put("ints", new int[]{1, 2, 3});
        state.put("strings", new String[]{"a", null});
        state.put("set", Set.of('c'));
        var enc = java(state);
        var back = CheckpointCodec.decode(enc.format(), enc.bytes(), enc.checksum());
        assertThat(back).containsEntry("date", LocalDate.of(2026, 12, 4)).containsEntry("money", new BigDecimal("12.50"))
                .containsEntry("days", EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.FRIDAY)).containsEntry("tree", tree)
                .containsEntry("immutable", List.of(1, 2, 3)).containsEntry("set", Set.of('c'));
        assertThat((int[]) back.get("ints")).containsExactly(1, 2, 3);
        assertThat(((TreeMap<?, ?>) back.get("tree")).firstKey()).isEqualTo("b");
    }

    @Test
    void aGraphsOwnClassesComeBackForThatGraphOnly() {
        var enc = java(new LinkedHashMap<>(Map.of("note", new Note("hi", 5), "notes", List.of(new Note("a", 1)))));
        var back = CheckpointCodec.decodingFor(TEST_GRAPH, () -> CheckpointCodec.decode(enc.format(), enc.bytes(), enc.checksum()));
        assertThat(back.get("note")).isEqualTo(new Note("hi", 5));
        assertThatThrownBy(() -> CheckpointCodec.decode(enc.format(), enc.bytes(), enc.checksum()))
                .hasMessageContaining(Note.class.getName() + " is not a type a state may hold");
    }

    @Test
    void aStateNestedDeeperThanTheLimitIsRefused() {
        Object deep = LocalDate.of(2026, 1, 1);
        for (int i = 0; i < StateFilter.MAX_DEPTH + 10; i++) deep = new LinkedList<>(List.of(deep));
        var enc = java(new LinkedHashMap<>(Map.of("deep", deep)));
        assertThatThrownBy(() -> CheckpointCodec.decode(enc.format(), enc.bytes(), enc.checksum()))
                .hasMessageContaining("nested deeper than " + StateFilter.MAX_DEPTH);
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
