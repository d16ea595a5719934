package dev.tether.engine;

import dev.tether.json.Json;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A checkpoint's state as stored bytes, with a checksum so that a truncated or damaged record is
 * reported as unreadable instead of resuming a run from half a state.
 *
 * <p>JSON when the state round-trips through JSON unchanged (strings, booleans, numbers, lists and
 * string-keyed maps of those; longs and floats are tagged so they come back as longs and floats):
 * readable by any process and by people. Anything else (a graph's own classes, a date) is stored
 * with Java serialization: only where the store is private to the user (the embedded file), never
 * from a shared server, where deserialising bytes written by someone else would run their code.
 *
 * <p>Java-serialised states are read back only through {@link StateFilter}: an allow-list (JDK value
 * types and collections, and the classes of the run's own graph, see {@link StateClasses}) with
 * limits on depth, references, array lengths and bytes that scale with the record, so that a record
 * of a hundred bytes cannot declare an array that fills the heap. Classes resolve through the graph's
 * own class loader (a plugin's classes are not on the class path): the caller says which graph with
 * {@link #decodingFor}; without it only JDK types are read.
 */
public final class CheckpointCodec {
    public enum Format { JSON, JAVA }

    public record Encoded(Format format, byte[] bytes, long checksum) {}

    private CheckpointCodec() {}

    /**
     * @param allowJava whether a state JSON cannot carry may be stored with Java serialization
     * @throws IllegalArgumentException when the state cannot be stored here (the reason names the field)
     */
    public static Encoded encode(Map<String, Object> state, boolean allowJava) {
        byte[] bytes;
        Format format;
        String problem;
        try {
            bytes = Json.mapper().writeValueAsBytes(toJson(state, ""));
            return new Encoded(Format.JSON, bytes, checksum(bytes));
        } catch (NotJson e) {
            problem = e.getMessage();
        } catch (IOException e) {
            problem = "not JSON: " + e.getMessage();
        }
        if (!allowJava) throw new IllegalArgumentException("state is not plain JSON: " + problem);
        var out = new ByteArrayOutputStream();
        try (var oos = new ObjectOutputStream(out)) {
            oos.writeObject(new java.util.LinkedHashMap<>(state));
        } catch (IOException e) {
            throw new IllegalArgumentException("state is neither JSON (" + problem + ") nor serializable: " + e, e);
        }
        bytes = out.toByteArray();
        format = Format.JAVA;
        return new Encoded(format, bytes, checksum(bytes));
    }

    /** The graph whose states are being read on this thread: its class loader and the classes it may hold. */
    private static final ScopedValue<StateClasses> CLASSES = ScopedValue.newInstance();

    /** Runs {@code op} with states decoded as {@code classes}' graph's states (its loader, its classes allowed). */
    public static <T, X extends Throwable> T decodingFor(StateClasses classes, ScopedValue.CallableOp<T, X> op) throws X {
        return ScopedValue.where(CLASSES, classes).call(op);
    }

    /** The graph states are decoded for on this thread; {@link StateClasses#JDK} outside {@link #decodingFor}. */
    public static StateClasses decodingClasses() {
        return CLASSES.orElse(StateClasses.JDK);
    }

    /** @throws IllegalArgumentException with a one-line reason for a damaged, unreadable or refused record */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> decode(Format format, byte[] bytes, long checksum) {
        verify(bytes, checksum);
        try {
            return switch (format) {
                case JSON -> (Map<String, Object>) fromJson(Json.mapper().readValue(bytes, Map.class));
                case JAVA -> {
                    var classes = decodingClasses();
                    var filter = new StateFilter(classes, bytes.length);
                    try (var in = new GraphObjectInput(new ByteArrayInputStream(bytes), classes.loader())) {
                        in.setObjectInputFilter(filter);
                        yield (Map<String, Object>) in.readObject();
                    } catch (java.io.InvalidClassException e) {
                        if (filter.refused() == null) throw e;
                        throw new IllegalArgumentException("refused java state: " + filter.refused(), e);
                    }
                }
            };
        } catch (IOException | ClassNotFoundException | ClassCastException | NumberFormatException e) {
            throw new IllegalArgumentException("unreadable " + format.name().toLowerCase() + " state: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) { // the filter bounds what a record can make us allocate; this is the last line
            throw new IllegalArgumentException("unreadable " + format.name().toLowerCase() + " state: it would not fit in memory", e);
        }
    }

    /** A long or a float would come back from JSON as an int or a double: they travel tagged. */
    private static final String LONG = "$tether.long", FLOAT = "$tether.float";

    private static final class NotJson extends Exception {
        NotJson(String message) {
            super(message, null, false, false);
        }
    }

    /** The value as JSON carries it back unchanged, or why it cannot be (with its path). */
    private static Object toJson(Object value, String path) throws NotJson {
        return switch (value) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Integer i -> i;
            case Long l -> Map.of(LONG, Long.toString(l));
            case Float f when Float.isFinite(f) -> Map.of(FLOAT, Float.toString(f));
            case Double d when Double.isFinite(d) -> d;
            case Double d -> throw new NotJson(at(path, "a non-finite double"));
            case Map<?, ?> m -> {
                var out = new java.util.LinkedHashMap<String, Object>();
                for (var e : m.entrySet()) {
                    if (!(e.getKey() instanceof String k)) throw new NotJson(at(path, "a map with non-string keys"));
                    if (k.startsWith("$tether.")) throw new NotJson(at(path, "a map with a reserved key"));
                    out.put(k, toJson(e.getValue(), path.isEmpty() ? k : path + "." + k));
                }
                yield out;
            }
            case List<?> l -> {
                var out = new java.util.ArrayList<Object>(l.size());
                for (int i = 0; i < l.size(); i++) out.add(toJson(l.get(i), path + "[" + i + "]"));
                yield out;
            }
            default -> throw new NotJson(at(path, "a " + value.getClass().getName()));
        };
    }

    private static Object fromJson(Object value) {
        if (value instanceof Map<?, ?> m) {
            if (m.size() == 1 && m.get(LONG) instanceof String l) return Long.valueOf(l);
            if (m.size() == 1 && m.get(FLOAT) instanceof String f) return Float.valueOf(f);
            var out = new java.util.LinkedHashMap<String, Object>();
            for (var e : m.entrySet()) out.put((String) e.getKey(), fromJson(e.getValue()));
            return out;
        }
        if (value instanceof List<?> l) {
            var out = new java.util.ArrayList<Object>(l.size());
            for (var v : l) out.add(fromJson(v));
            return out;
        }
        return value;
    }

    /** @throws IllegalArgumentException when the bytes are missing or do not match their checksum */
    public static void verify(byte[] bytes, long checksum) {
        if (bytes == null) throw new IllegalArgumentException("no state stored");
        if (checksum(bytes) != checksum) {
            throw new IllegalArgumentException("checksum mismatch (" + bytes.length + " bytes): the record is truncated or damaged");
        }
    }

    public static long checksum(byte[] bytes) {
        var crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }

    private static String at(String path, String what) {
        return (path.isEmpty() ? "the state" : "'" + path + "'") + " is " + what;
    }
}
