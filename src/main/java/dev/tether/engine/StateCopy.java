package dev.tether.engine;

import org.bsc.langgraph4j.serializer.std.SerializerMapper;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The copy of a state's data that a round trip through LangGraph4j's {@code ObjectStreamStateSerializer}
 * makes, built without serializing, when the data is plain: Java's immutable values (strings, boxed
 * primitives, big numbers, UUIDs, java.time values, enum constants) and the lists, maps with string
 * keys, sets and primitive arrays that hold them.
 *
 * <p>It gives what the round trip gives: a list as an {@link ArrayList}, a map as a {@link HashMap},
 * a set as a {@link LinkedHashSet} (what LangGraph4j's own list, map and set serializers read back),
 * an array as a new array, an immutable value as itself (the round trip makes an equal one). So a
 * copy shares nothing mutable with the state it came from.
 *
 * <p>Anything else answers null, and the caller serializes as before: a value of another class (Java
 * serialization decides its copy), a type the graph gave a serializer of its own, a map key that is
 * not a string, or nesting deeper than {@value #MAX_DEPTH} (a cycle among them).
 */
final class StateCopy {
    static final int MAX_DEPTH = 256;

    /** Exact classes, so that no subclass (a mutable BigDecimal, say) passes for one. */
    private static final Set<Class<?>> IMMUTABLE = Set.of(
            String.class, Boolean.class, Character.class, Byte.class, Short.class, Integer.class, Long.class, Float.class, Double.class,
            BigInteger.class, BigDecimal.class, java.util.UUID.class,
            java.time.Instant.class, java.time.Duration.class, java.time.Period.class, java.time.LocalDate.class, java.time.LocalTime.class,
            java.time.LocalDateTime.class, java.time.OffsetDateTime.class, java.time.OffsetTime.class, java.time.ZonedDateTime.class,
            java.time.Year.class, java.time.YearMonth.class, java.time.MonthDay.class, java.time.ZoneOffset.class);

    /** LangGraph4j's own serializers for the three collection interfaces (what the copy stands in for). */
    private static final String LIST = "org.bsc.langgraph4j.serializer.std.ObjectStreamStateSerializer$ListSerializer";
    private static final String MAP = "org.bsc.langgraph4j.serializer.std.ObjectStreamStateSerializer$MapSerializer";
    private static final String SET = "org.bsc.langgraph4j.serializer.std.SetSerializer";

    /** Marks a value the copy cannot make. */
    private static final Object NOT_PLAIN = new Object();

    /** What the graph's serializers do with a class: one of LangGraph4j's three collection serializers, one of the graph's own, or none. */
    private enum Kind { LIST, MAP, SET, OWN, NONE }

    private final SerializerMapper mapper;
    /** The kinds of the classes met in this copy: a state has few classes and many values (a mapper's lookup allocates). */
    private Class<?>[] types = new Class<?>[8];
    private Kind[] kinds = new Kind[8];
    private int known;

    private StateCopy(SerializerMapper mapper) {
        this.mapper = mapper;
    }

    /** The copy of {@code data} as the round trip through {@code mapper}'s serializers makes it; null when it is not plain. */
    static Map<String, Object> of(SerializerMapper mapper, Map<String, Object> data) {
        @SuppressWarnings("unchecked")
        var copy = new StateCopy(mapper).copyMap(data, 0) instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
        return copy;
    }

    private Object copy(Object value, int depth) {
        if (value == null) return null;
        if (depth > MAX_DEPTH) return NOT_PLAIN;
        return switch (kindOf(value.getClass())) {
            case LIST -> fill((List<?>) value, new ArrayList<>(((List<?>) value).size()), depth);
            case MAP -> copyMap((Map<?, ?>) value, depth);
            case SET -> fill((Set<?>) value, new LinkedHashSet<>(), depth);
            case OWN -> NOT_PLAIN; // the graph's own serializer decides
            case NONE -> IMMUTABLE.contains(value.getClass()) || value instanceof Enum<?> ? value : copyArray(value);
        };
    }

    private Kind kindOf(Class<?> type) {
        for (int i = 0; i < known; i++) if (types[i] == type) return kinds[i];
        var kind = mapper.getSerializer(type).map(s -> switch (s.getClass().getName()) {
            case LIST -> Kind.LIST;
            case MAP -> Kind.MAP;
            case SET -> Kind.SET;
            default -> Kind.OWN;
        }).orElse(Kind.NONE);
        if (known == types.length) {
            types = java.util.Arrays.copyOf(types, known * 2);
            kinds = java.util.Arrays.copyOf(kinds, known * 2);
        }
        types[known] = type;
        kinds[known++] = kind;
        return kind;
    }

    private static Object copyArray(Object value) {
        return switch (value) {
            case byte[] a -> a.clone();
            case char[] a -> a.clone();
            case short[] a -> a.clone();
            case int[] a -> a.clone();
            case long[] a -> a.clone();
            case float[] a -> a.clone();
            case double[] a -> a.clone();
            case boolean[] a -> a.clone();
            default -> NOT_PLAIN;
        };
    }

    private Object fill(Collection<?> from, Collection<Object> to, int depth) {
        for (var element : from) {
            var c = copy(element, depth + 1);
            if (c == NOT_PLAIN) return NOT_PLAIN;
            to.add(c);
        }
        return to;
    }

    private Object copyMap(Map<?, ?> map, int depth) {
        var copy = new HashMap<String, Object>(); // sized as LangGraph4j's reader sizes it: a HashMap's order follows its table
        for (var e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) return NOT_PLAIN; // LangGraph4j writes keys as strings, and fails on others
            var c = copy(e.getValue(), depth + 1);
            if (c == NOT_PLAIN) return NOT_PLAIN;
            copy.put(key, c);
        }
        return copy;
    }
}
