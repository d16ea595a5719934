package dev.tether.engine;

import dev.tether.json.Json;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A checkpoint's state as stored bytes, with a checksum so that a truncated or damaged record is
 * reported as unreadable instead of resuming a run from half a state.
 *
 * <p>JSON when the state round-trips through JSON unchanged (strings, booleans, ints, doubles, lists
 * and string-keyed maps of those): readable by any process and by people. Anything else (a long, a
 * float, a graph's own classes) would come back as a different type, so it is stored with Java
 * serialization: only where the store is private to the user (the embedded file), never from a
 * shared server, where deserialising bytes written by someone else would run their code.
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
        var problem = jsonProblem(state, "");
        byte[] bytes;
        Format format;
        if (problem == null) {
            try {
                bytes = Json.mapper().writeValueAsBytes(state);
            } catch (IOException e) {
                throw new IllegalArgumentException("state is not JSON: " + e.getMessage(), e);
            }
            format = Format.JSON;
        } else if (allowJava) {
            var out = new ByteArrayOutputStream();
            try (var oos = new ObjectOutputStream(out)) {
                oos.writeObject(new java.util.LinkedHashMap<>(state));
            } catch (IOException e) {
                throw new IllegalArgumentException("state is neither JSON (" + problem + ") nor serializable: " + e, e);
            }
            bytes = out.toByteArray();
            format = Format.JAVA;
        } else {
            throw new IllegalArgumentException("state is not plain JSON: " + problem);
        }
        return new Encoded(format, bytes, checksum(bytes));
    }

    /** @throws IllegalArgumentException with a one-line reason for a damaged or unreadable record */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> decode(Format format, byte[] bytes, long checksum) {
        if (bytes == null) throw new IllegalArgumentException("no state stored");
        if (checksum(bytes) != checksum) {
            throw new IllegalArgumentException("checksum mismatch (" + bytes.length + " bytes): the record is truncated or damaged");
        }
        try {
            return switch (format) {
                case JSON -> Json.mapper().readValue(bytes, Map.class);
                case JAVA -> {
                    try (var in = new PluginAwareInput(new ByteArrayInputStream(bytes))) {
                        yield (Map<String, Object>) in.readObject();
                    }
                }
            };
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new IllegalArgumentException("unreadable " + format.name().toLowerCase() + " state: " + e.getMessage(), e);
        }
    }

    public static long checksum(byte[] bytes) {
        var crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }

    /** Null when JSON gives back exactly this value; else what does not survive, with its path. */
    private static String jsonProblem(Object value, String path) {
        return switch (value) {
            case null -> null;
            case String s -> null;
            case Boolean b -> null;
            case Integer i -> null;
            case Double d -> Double.isFinite(d) ? null : at(path, "a non-finite double");
            case Map<?, ?> m -> {
                for (var e : m.entrySet()) {
                    if (!(e.getKey() instanceof String k)) yield at(path, "a map with non-string keys");
                    var p = jsonProblem(e.getValue(), path.isEmpty() ? k : path + "." + k);
                    if (p != null) yield p;
                }
                yield null;
            }
            case List<?> l -> {
                for (int i = 0; i < l.size(); i++) {
                    var p = jsonProblem(l.get(i), path + "[" + i + "]");
                    if (p != null) yield p;
                }
                yield null;
            }
            default -> at(path, "a " + value.getClass().getName());
        };
    }

    private static String at(String path, String what) {
        return (path.isEmpty() ? "the state" : "'" + path + "'") + " is " + what;
    }

    /** Resolves classes with the thread's context loader too: a plugin graph's classes are not on the class path. */
    private static final class PluginAwareInput extends ObjectInputStream {
        PluginAwareInput(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return super.resolveClass(desc);
            } catch (ClassNotFoundException e) {
                var context = Thread.currentThread().getContextClassLoader();
                if (context == null) throw e;
                return Class.forName(desc.getName(), false, context);
            }
        }
    }
}
