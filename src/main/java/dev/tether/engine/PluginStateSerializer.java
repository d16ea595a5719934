package dev.tether.engine;

import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.serializer.StateSerializer;
import org.bsc.langgraph4j.serializer.std.ObjectStreamStateSerializer;
import org.bsc.langgraph4j.state.AgentState;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.util.Map;

/**
 * LangGraph4j copies a run's state through Java serialization before every checkpoint, with a plain
 * {@link java.io.ObjectInputStream}: it resolves classes from LangGraph4j's own loader, so a plugin
 * graph whose state holds one of the plugin's classes fails at its first checkpoint. This serializer
 * does what the graph's own {@link ObjectStreamStateSerializer} does, reading through the plugin's
 * loader; {@link #install} puts it in place of that one in a plugin's graph (LangGraph4j offers no
 * setter, so a field is set by reflection; if that ever stops working, a warning says which graph is
 * affected). A graph with a serializer of its own choice keeps it.
 */
final class PluginStateSerializer<S extends AgentState> extends StateSerializer<S> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PluginStateSerializer.class);

    private final StateSerializer<S> original;
    private final ClassLoader loader;

    private PluginStateSerializer(StateSerializer<S> original, ClassLoader loader) {
        super(original.stateFactory());
        this.original = original;
        this.loader = loader;
    }

    /** In a graph built by a plugin (another class loader than LangGraph4j's): its states' classes resolve through {@code loader}. */
    static <S extends AgentState> void install(StateGraph<S> graph, ClassLoader loader, String graphId) {
        var current = graph.getStateSerializer();
        if (loader == null || loader == StateGraph.class.getClassLoader() || !(current instanceof ObjectStreamStateSerializer<S>)) return;
        try {
            var field = StateGraph.class.getDeclaredField("stateSerializer");
            field.setAccessible(true);
            field.set(graph, new PluginStateSerializer<>(current, loader));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("graph {}: its states cannot hold the plugin's own classes (LangGraph4j's serializer could not be given the plugin's"
                    + " class loader: {})", graphId, e.toString());
        }
    }

    @Override
    public void writeData(Map<String, Object> data, ObjectOutput out) throws IOException {
        original.writeData(data, out);
    }

    @Override
    public Map<String, Object> readData(ObjectInput in) throws IOException, ClassNotFoundException {
        return original.readData(in);
    }

    @Override
    public S bytesToObject(byte[] bytes) throws IOException, ClassNotFoundException {
        try (var in = new GraphObjectInput(new ByteArrayInputStream(bytes), loader)) {
            return read(in);
        }
    }
}
