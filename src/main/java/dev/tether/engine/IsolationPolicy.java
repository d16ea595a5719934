package dev.tether.engine;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Which isolation each graph runs with: a default (the {@code --isolation} option) overridden per
 * graph by {@code isolation.properties} in the Tether home ({@code graph-id = process}), so a graph
 * known to ignore cancels always runs where it can be destroyed.
 */
public record IsolationPolicy(Isolation defaultIsolation, Map<String, Isolation> perGraph) {
    public static final String FILE = "isolation.properties";

    public IsolationPolicy {
        perGraph = Map.copyOf(perGraph);
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
        if (file != null && Files.isRegularFile(file)) {
            var props = new Properties();
            try (Reader in = Files.newBufferedReader(file)) {
                props.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
            }
            for (var name : props.stringPropertyNames()) {
                try {
                    overrides.put(name.trim(), Isolation.parse(props.getProperty(name)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + ": " + name + ": " + e.getMessage(), e);
                }
            }
        }
        return new IsolationPolicy(defaultIsolation, overrides);
    }

    public Isolation of(String graphId) {
        return perGraph.getOrDefault(graphId, defaultIsolation);
    }

    /** Whether any run could need a child JVM (then the engine keeps a warm pool). */
    public boolean usesProcesses() {
        return defaultIsolation == Isolation.PROCESS || perGraph.containsValue(Isolation.PROCESS);
    }
}
