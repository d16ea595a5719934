package dev.tether.run;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A run's input as a snapshot holds it: immutable, in its keys' order, in one array. A view mirrors
 * every active run, and the {@code LinkedHashMap} a JSON reader makes for a one-key input costs four
 * times the run's other fields together (its table, entry and links: about 170 bytes against 40).
 * Inputs are small (the graph's arguments); a large one keeps its hashed map.
 */
final class CompactInput extends AbstractMap<String, Object> {
    /** Above this many keys a linear search stops being cheaper than a hash lookup. */
    static final int MAX_KEYS = 16;
    private final Object[] keysAndValues;

    private CompactInput(Object[] keysAndValues) {
        this.keysAndValues = keysAndValues;
    }

    /** {@code input} itself when already compact or large, else an immutable copy in the same order. */
    static Map<String, Object> of(Map<String, Object> input) {
        if (input == null || input.isEmpty()) return Map.of();
        if (input instanceof CompactInput || input.size() > MAX_KEYS) return input;
        var kv = new Object[input.size() * 2];
        int i = 0;
        for (var e : input.entrySet()) {
            kv[i++] = e.getKey();
            kv[i++] = e.getValue();
        }
        return new CompactInput(kv);
    }

    @Override
    public int size() {
        return keysAndValues.length / 2;
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    public Object get(Object key) {
        int i = indexOf(key);
        return i < 0 ? null : keysAndValues[i + 1];
    }

    private int indexOf(Object key) {
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (java.util.Objects.equals(keysAndValues[i], key)) return i; // a map built in code may hold a null key
        }
        return -1;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return CompactInput.this.size();
            }

            @Override
            public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < keysAndValues.length;
                    }

                    @Override
                    public Entry<String, Object> next() {
                        if (!hasNext()) throw new NoSuchElementException();
                        var e = new SimpleImmutableEntry<>((String) keysAndValues[next], keysAndValues[next + 1]);
                        next += 2;
                        return e;
                    }
                };
            }
        };
    }
}
