package dev.tether.catalog;

import dev.tether.api.GraphDefinition;
import dev.tether.engine.QueueNames;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A definition whose describing methods were called once, when it was found, and answered sanely:
 * what they returned is kept, so a plugin whose {@code title()} throws (or changes its mind) is
 * turned away at load time instead of breaking every submit and the Submit dialog later.
 * {@link #build()} is still the plugin's own: the engine runs it where a failure fails one run.
 */
final class CheckedGraph implements GraphDefinition, WrappedGraph {
    private final GraphDefinition plugin;
    private final String id;
    private final String title;
    private final String description;
    private final String defaultQueue;
    private final Map<String, Object> defaultInput;
    private final dev.tether.run.RunPolicy policy;

    private CheckedGraph(GraphDefinition plugin, String id, String title, String description, String defaultQueue,
                         Map<String, Object> defaultInput, dev.tether.run.RunPolicy policy) {
        this.plugin = plugin;
        this.id = id;
        this.title = title;
        this.description = description;
        this.defaultQueue = defaultQueue;
        this.defaultInput = defaultInput;
        this.policy = policy;
    }

    @Override
    public GraphDefinition wrapped() {
        return plugin;
    }

    /** @throws IllegalArgumentException naming the method that failed and how */
    static CheckedGraph check(GraphDefinition d) {
        if (d instanceof CheckedGraph c) return c;
        var id = call(d, "id()", d::id);
        if (id == null || !id.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("has an invalid id '" + Problems.printable(id) + "' (lower-case letters, digits, '.', '_', '-')");
        }
        var title = call(d, "title()", d::title);
        var description = call(d, "description()", d::description);
        var queue = call(d, "defaultQueue()", d::defaultQueue);
        if (!QueueNames.isValid(queue)) {
            throw new IllegalArgumentException("graph '" + id + "' has an invalid default queue '" + Problems.printable(queue) + "'");
        }
        Map<String, Object> input = call(d, "defaultInput()", d::defaultInput);
        var copy = new LinkedHashMap<String, Object>();
        if (input != null) {
            for (var e : input.entrySet()) {
                var key = e.getKey();
                var v = e.getValue();
                if (key == null || key.isBlank()) throw new IllegalArgumentException("graph '" + id + "' has an empty default input key");
                boolean ok = v instanceof String || v instanceof Integer || v instanceof Long || v instanceof Boolean
                        || (v instanceof Double x && Double.isFinite(x));
                if (!ok) {
                    throw new IllegalArgumentException("graph '" + id + "' default input '" + Problems.printable(key) + "' is "
                            + (v == null ? "null" : v.getClass().getSimpleName() + " " + Problems.printable(String.valueOf(v)))
                            + "; use text, an integer, a finite number or true/false");
                }
                copy.put(key, v);
            }
        }
        var policy = call(d, "policy()", d::policy);
        return new CheckedGraph(d, id, title == null || title.isBlank() ? id : title, description == null ? "" : description,
                queue, Collections.unmodifiableMap(copy), policy == null ? dev.tether.run.RunPolicy.NONE : policy);
    }

    private static <T> T call(GraphDefinition d, String method, java.util.function.Supplier<T> m) {
        try {
            return m.get();
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalArgumentException(method + " threw " + Problems.describe(e));
        }
    }

    /** The plugin's own class (for messages). */
    Class<?> pluginClass() {
        return plugin.getClass();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public String defaultQueue() {
        return defaultQueue;
    }

    @Override
    public Map<String, Object> defaultInput() {
        return defaultInput;
    }

    @Override
    public dev.tether.run.RunPolicy policy() {
        return policy;
    }

    /** The plugin's own build; the errors a plugin can throw here besides exceptions become one, with the graph named. */
    @Override
    public StateGraph<? extends AgentState> build() throws GraphStateException {
        try {
            return plugin.build();
        } catch (StackOverflowError | LinkageError e) {
            throw new IllegalStateException("graph '" + id + "': build() threw " + Problems.describe(e), e);
        }
    }
}
