package dev.tether.run;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Names that thousands of runs repeat (graph, queue, worker, node), held once: a JSON reader makes a
 * new string for each, and a view over 100,000 runs held about 100 bytes a run of copies. A map, not
 * {@link String#intern()}: a lookup here is several times cheaper, and a view reads every run at
 * start. Bounded, so that a stream of distinct names (workers come and go) never grows it for ever:
 * past the bound a new name is held by its runs as before, which costs memory, never correctness.
 */
final class Shared {
    private static final Shared NAMES = new Shared(16_384);
    private final int maxNames;
    private final ConcurrentHashMap<String, String> held = new ConcurrentHashMap<>();

    Shared(int maxNames) {
        this.maxNames = maxNames;
    }

    /** The one copy of {@code name} that snapshots hold. */
    static String text(String name) {
        return NAMES.hold(name);
    }

    String hold(String name) {
        if (name == null) return null;
        var first = held.get(name);
        if (first != null) return first;
        if (held.size() >= maxNames) return name;
        first = held.putIfAbsent(name, name);
        return first != null ? first : name;
    }
}
