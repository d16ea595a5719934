package dev.tether.engine;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Which isolation each graph runs with: a default (the {@code --isolation} option) overridden per
 * graph by {@code isolation.properties} in the Tether home ({@code graph-id = process}), so a graph
 * known to ignore cancels always runs where it can be destroyed. The same file may give a graph its
 * own cancel grace ({@code graph-id.grace = 10s}): how long a cancelled run may take before it is
 * killed (process) or reported STUCK (thread).
 */
public record IsolationPolicy(Isolation defaultIsolation, Map<String, Isolation> perGraph, Map<String, Duration> graces) {
    public static final String FILE = "isolation.properties";
    private static final String GRACE_SUFFIX = ".grace";

    public IsolationPolicy {
        perGraph = Map.copyOf(perGraph);
        graces = graces == null ? Map.of() : Map.copyOf(graces);
    }

    public IsolationPolicy(Isolation defaultIsolation, Map<String, Isolation> perGraph) {
        this(defaultIsolation, perGraph, Map.of());
    }

    public static IsolationPolicy threads() {
        return new IsolationPolicy(Isolation.THREAD, Map.of());
    }

    public static IsolationPolicy of(Isolation defaultIsolation) {
        return new IsolationPolicy(defaultIsolation, Map.of());
    }

    /** The default plus the overrides in {@code file}; a missing file has none. A bad value is an error. */
    public static IsolationPolicy load(Isolation defaultIsolation, Path file) {
        var overrides = new TreeMap<String, Isolation>();
        var graces = new TreeMap<String, Duration>();
        if (file != null && Files.isRegularFile(file)) {
            var props = new Properties();
            try (Reader in = Files.newBufferedReader(file)) {
                props.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
            }
            for (var name : props.stringPropertyNames()) {
                try {
                    var key = name.trim();
                    if (key.endsWith(GRACE_SUFFIX)) {
                        graces.put(key.substring(0, key.length() - GRACE_SUFFIX.length()), duration(props.getProperty(name)));
                        continue;
                    }
                    overrides.put(key, Isolation.parse(props.getProperty(name)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + ": " + name + ": " + e.getMessage(), e);
                }
            }
        }
        return new IsolationPolicy(defaultIsolation, overrides, graces);
    }

    /** 500ms, 5s, 2m, or ISO-8601 (PT5S); never negative. */
    static Duration duration(String text) {
        var t = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            Duration d;
            if (t.startsWith("pt")) d = Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
            else if (t.endsWith("ms")) d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
            else if (t.endsWith("s")) d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1).trim()));
            else if (t.endsWith("m")) d = Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1).trim()));
            else throw new IllegalArgumentException();
            if (d.isNegative()) throw new IllegalArgumentException();
            return d;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 500ms, 5s, 2m)");
        }
    }

    /** The graph's own cancel grace, or {@code otherwise}. */
    public Duration graceOf(String graphId, Duration otherwise) {
        return graces.getOrDefault(graphId, otherwise);
    }

    public Isolation of(String graphId) {
        return perGraph.getOrDefault(graphId, defaultIsolation);
    }

    /** Whether any run could need a child JVM (then the engine keeps a warm pool). */
    public boolean usesProcesses() {
        return defaultIsolation == Isolation.PROCESS || perGraph.containsValue(Isolation.PROCESS);
    }
}
