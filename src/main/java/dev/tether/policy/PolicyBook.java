package dev.tether.policy;

import dev.tether.api.GraphDefinition;
import dev.tether.run.RunPolicy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The run policies set outside the runs themselves: {@code policies.properties} in the Tether home,
 * beside {@code routing.properties} and {@code isolation.properties}, per graph
 * ({@code book-workflow.max-runtime = 10m}) and per queue ({@code queue/ai_processing.max-concurrent = 4}).
 * {@link #resolve} merges them with a run's own policy and its graph's default, value by value, the
 * most specific winning: the run, then its graph, then its queue, then the graph's definition.
 *
 * <p>A queue's {@code max-concurrent} limits the queue (every graph in it together); a graph's limits
 * the graph. Any other value given for a queue is a default for the runs in it.
 */
public final class PolicyBook {
    public static final String FILE = "policies.properties";
    /** Keys of a queue's section start with this ({@code /} is in no graph id, so the two never meet). */
    public static final String QUEUE_PREFIX = "queue/";
    public static final String FROM_FILE = FILE;

    private final Map<String, RunPolicy> graphs;
    private final Map<String, RunPolicy> queues;

    private PolicyBook(Map<String, RunPolicy> graphs, Map<String, RunPolicy> queues) {
        this.graphs = Map.copyOf(graphs);
        this.queues = Map.copyOf(queues);
    }

    public static PolicyBook empty() {
        return new PolicyBook(Map.of(), Map.of());
    }

    /** The policies in {@code file}; a missing file has none. A bad key or value is an error naming the line's key. */
    public static PolicyBook load(Path file) {
        if (file == null || !Files.isRegularFile(file)) return empty();
        var props = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            props.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        var byGraph = new TreeMap<String, Map<String, String>>();
        var byQueue = new TreeMap<String, Map<String, String>>();
        for (var name : props.stringPropertyNames()) {
            var key = name.strip();
            var value = props.getProperty(name);
            try {
                boolean queue = key.startsWith(QUEUE_PREFIX);
                var rest = queue ? key.substring(QUEUE_PREFIX.length()) : key;
                var policyKey = RunPolicy.KEYS.stream().filter(k -> rest.endsWith("." + k))
                        .max(Comparator.comparingInt(String::length))
                        .orElseThrow(() -> new IllegalArgumentException("not OWNER.POLICY (policies: " + String.join(", ", RunPolicy.KEYS) + ")"));
                var owner = rest.substring(0, rest.length() - policyKey.length() - 1);
                if (owner.isEmpty()) throw new IllegalArgumentException("names no " + (queue ? "queue" : "graph"));
                if (policyKey.equals("queue-max-concurrent")) {
                    throw new IllegalArgumentException("a queue's limit is " + QUEUE_PREFIX + "QUEUE.max-concurrent");
                }
                if (queue && policyKey.equals("max-concurrent")) policyKey = "queue-max-concurrent";
                (queue ? byQueue : byGraph).computeIfAbsent(owner, k -> new LinkedHashMap<>()).put(policyKey, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + key + ": " + e.getMessage(), e);
            }
        }
        var graphs = new TreeMap<String, RunPolicy>();
        var queues = new TreeMap<String, RunPolicy>();
        byGraph.forEach((g, values) -> graphs.put(g, parse(file, g, values).from(FROM_FILE)));
        byQueue.forEach((q, values) -> queues.put(q, parse(file, QUEUE_PREFIX + q, values).from(FROM_FILE + " (queue " + q + ")")));
        return new PolicyBook(graphs, queues);
    }

    private static RunPolicy parse(Path file, String owner, Map<String, String> values) {
        try {
            return RunPolicy.of(values);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + owner + "." + e.getMessage(), e);
        }
    }

    /** The file in the Tether home, loaded; see {@link #load}. */
    public static PolicyBook inHome() {
        return load(dev.tether.catalog.TetherHome.dir().resolve(FILE));
    }

    /** What {@code policies.properties} says of {@code graph} (none: empty). */
    public RunPolicy ofGraph(String graph) {
        return graphs.getOrDefault(graph, RunPolicy.NONE);
    }

    /** What {@code policies.properties} says of {@code queue} (none: empty). */
    public RunPolicy ofQueue(String queue) {
        return queues.getOrDefault(queue, RunPolicy.NONE);
    }

    /**
     * The policy a run of {@code graph} on {@code queue} runs under: {@code run} (its own, null for
     * none; a graph's or queue's concurrency is not a run's to set) over the graph's, the queue's and
     * the definition's, with where each value came from.
     */
    public RunPolicy resolve(GraphDefinition graph, String queue, RunPolicy run) {
        var definition = definitionPolicy(graph).from(RunPolicy.FROM_DEFINITION);
        var own = run == null ? RunPolicy.NONE : run.withoutConcurrency().from(RunPolicy.FROM_RUN);
        return own.over(ofGraph(graph.id()).over(ofQueue(queue).over(definition)));
    }

    /** The graph's own default, never null. */
    static RunPolicy definitionPolicy(GraphDefinition graph) {
        var p = graph.policy();
        return p == null ? RunPolicy.NONE : p.withoutQueueLimit();
    }

    /** Every graph or queue the file names, for messages. */
    public Map<String, RunPolicy> graphs() {
        return graphs;
    }

    public Map<String, RunPolicy> queues() {
        return queues;
    }
}
