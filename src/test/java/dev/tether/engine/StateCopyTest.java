package dev.tether.engine;

import org.bsc.langgraph4j.serializer.Serializer;
import org.bsc.langgraph4j.serializer.std.ObjectStreamStateSerializer;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A state of plain values is copied as LangGraph4j's own serialize-and-read-back copies it: the same
 * values, the same container classes, the same order, nothing mutable shared. Whatever else a state
 * holds is left to serialization.
 */
class StateCopyTest {
    private final ObjectStreamStateSerializer<AgentState> langgraph = new ObjectStreamStateSerializer<>(AgentState::new);

    private Map<String, Object> roundTrip(Map<String, Object> data) throws Exception {
        return langgraph.cloneObject(data).data();
    }

    /** Every value with its class, containers and arrays opened, in iteration order. */
    private static String shape(Object v) {
        if (v == null) return "null";
        String inside = switch (v) {
            case Map<?, ?> m -> m.entrySet().stream().map(e -> e.getKey() + "=" + shape(e.getValue())).toList().toString();
            case java.util.Collection<?> c -> c.stream().map(StateCopyTest::shape).toList().toString();
            case byte[] a -> Arrays.toString(a);
            case int[] a -> Arrays.toString(a);
            case double[] a -> Arrays.toString(a);
            case char[] a -> Arrays.toString(a);
            default -> v.toString();
        };
        return v.getClass().getName() + ":" + inside;
    }

    private static Map<String, Object> plainState() {
        var many = new HashMap<String, Object>();
        for (int i = 0; i < 40; i++) many.put("key-" + i * 7919, i % 3 == 0 ? null : "value " + i);
        var bigSet = new HashSet<Integer>();
        for (int i = 0; i < 50; i++) bigSet.add(i * 31);
        var tree = new TreeMap<String, Object>(Map.of("b", 2L, "a", List.of(1.5, 2.5f)));
        var withNulls = new ArrayList<Object>(Arrays.asList("x", null, List.of(), Map.of()));
        var data = new HashMap<String, Object>();
        data.put("text", "hello, state");
        data.put("numbers", List.of(1, 2L, (short) 3, (byte) 4, 5.0, 6.0f, 'c', true));
        data.put("big", List.of(new BigInteger("123456789012345678901234567890"), new BigDecimal("3.14159265358979323846")));
        data.put("when", List.of(Instant.parse("2026-12-06T10:15:30.123456789Z"), Duration.ofMillis(1_500), LocalDate.of(2026, 12, 6),
                ZonedDateTime.parse("2026-12-06T10:15:30+01:00[Europe/Paris]")));
        data.put("id", UUID.fromString("00000000-0000-0000-0000-00000000002a"));
        data.put("unit", TimeUnit.SECONDS);
        data.put("bytes", new byte[] {1, 2, 3});
        data.put("ints", new int[] {4, 5});
        data.put("chars", new char[] {'a', 'b'});
        data.put("many", many);
        data.put("bigSet", bigSet);
        data.put("sorted", new TreeSet<>(List.of("z", "y", "x")));
        data.put("tree", tree);
        data.put("linked", new LinkedHashMap<>(Map.of("only", new LinkedList<>(List.of("l1", "l2")))));
        data.put("unmodifiable", Collections.unmodifiableMap(new HashMap<>(Map.of("k", Set.of("s")))));
        data.put("withNulls", withNulls);
        data.put("nothing", null);
        data.put("messages", List.of(Map.of("role", "user", "content", "hi"), Map.of("role", "assistant", "content", "hello")));
        return data;
    }

    @Test
    void aStateOfPlainValuesIsCopiedAsLangGraph4jsRoundTripCopiesIt() throws Exception {
        var data = plainState();

        var copy = StateCopy.of(langgraph.mapper(), data);

        assertThat(copy).isNotNull();
        assertThat(shape(new AgentState(copy).data())).isEqualTo(shape(roundTrip(data))); // the state LangGraph4j builds of it
        assertThat(copy.get("numbers")).isInstanceOf(ArrayList.class);
        assertThat(copy.get("tree")).isInstanceOf(HashMap.class);
        assertThat(copy.get("sorted")).isInstanceOf(java.util.LinkedHashSet.class);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCopySharesNothingMutableWithTheState() {
        var data = plainState();

        var copy = StateCopy.of(langgraph.mapper(), data);
        ((byte[]) data.get("bytes"))[0] = 99;
        ((List<Object>) data.get("withNulls")).add("later");
        ((Map<String, Object>) data.get("many")).put("new", "entry");
        ((Map<String, Object>) data.get("tree")).put("c", 3L);

        assertThat((byte[]) copy.get("bytes")).containsExactly(1, 2, 3);
        assertThat((List<?>) copy.get("withNulls")).hasSize(4);
        assertThat((Map<String, Object>) copy.get("many")).hasSize(40).doesNotContainKey("new");
        assertThat((Map<String, Object>) copy.get("tree")).containsOnlyKeys("a", "b");
        assertThat(copy.get("text")).isSameAs(data.get("text")); // immutable: shared, as an equal copy would be
    }

    record Point(int x, int y) implements Serializable {}

    @Test
    void aValueOfAnotherClassIsLeftToSerialization() {
        var nested = new HashMap<String, Object>(Map.of("plain", "yes", "deep", List.of(List.of(new Point(1, 2)))));

        assertThat(StateCopy.of(langgraph.mapper(), Map.of("point", new Point(1, 2)))).isNull();
        assertThat(StateCopy.of(langgraph.mapper(), nested)).isNull();
        assertThat(StateCopy.of(langgraph.mapper(), Map.of("objects", new Object[] {"a"}))).isNull();
        assertThat(StateCopy.of(langgraph.mapper(), Map.of("decimal", new BigDecimal("1") {}))).isNull(); // a subclass may be mutable
    }

    @Test
    void aTypeTheGraphGaveASerializerOfItsOwnIsLeftToThatSerializer() {
        var custom = new ObjectStreamStateSerializer<AgentState>(AgentState::new);
        custom.mapper().register(String.class, new Serializer<String>() {
            @Override public void write(String s, ObjectOutput out) throws IOException { out.writeUTF(s.toUpperCase()); }
            @Override public String read(ObjectInput in) throws IOException { return in.readUTF(); }
        });
        var lists = new ObjectStreamStateSerializer<AgentState>(AgentState::new);
        lists.mapper().register(ArrayList.class, new Serializer<ArrayList<Object>>() {
            @Override public void write(ArrayList<Object> l, ObjectOutput out) throws IOException { out.writeInt(l.size()); }
            @Override public ArrayList<Object> read(ObjectInput in) throws IOException { return new ArrayList<>(Collections.nCopies(in.readInt(), null)); }
        });

        assertThat(StateCopy.of(custom.mapper(), Map.of("text", "lower"))).isNull();
        assertThat(StateCopy.of(lists.mapper(), Map.of("list", new ArrayList<>(List.of(1))))).isNull();
        assertThat(StateCopy.of(lists.mapper(), Map.of("list", List.of(1)))).isNotNull(); // not an ArrayList: LangGraph4j's own list serializer
    }

    @Test
    void aMapKeyThatIsNotAStringIsLeftToSerialization() {
        assertThat(StateCopy.of(langgraph.mapper(), Map.of("byNumber", Map.of(1, "one")))).isNull();
    }

    @Test
    void aStateThatHoldsItselfIsLeftToSerializationInsteadOfOverflowingTheStack() {
        var loop = new ArrayList<Object>();
        loop.add(loop);
        var deep = new ArrayList<Object>();
        var at = deep;
        for (int i = 0; i < StateCopy.MAX_DEPTH + 10; i++) {
            var next = new ArrayList<Object>();
            at.add(next);
            at = next;
        }

        assertThat(StateCopy.of(langgraph.mapper(), Map.of("loop", loop))).isNull();
        assertThat(StateCopy.of(langgraph.mapper(), Map.of("deep", deep))).isNull();
    }
}
