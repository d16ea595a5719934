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
 * What a graph built with LangGraph4j's default {@link ObjectStreamStateSerializer} runs with in
 * Tether; it writes and reads exactly as that one does, and differs in two ways:
 * <ul>
 *   <li><b>Plugin classes.</b> LangGraph4j reads states back with a plain {@link java.io.ObjectInputStream},
 *       which resolves classes from LangGraph4j's own loader: a plugin graph whose state holds one of
 *       the plugin's classes would fail at its first checkpoint. This one reads through the graph's loader.</li>
 *   <li><b>The copy of the state at every step.</b> LangGraph4j copies the whole state twice per node
 *       (the node's output and its checkpoint) by serializing it and reading it back. For a state of
 *       plain values (strings, numbers, lists, maps, sets: {@link StateCopy}) this one builds the same
 *       copy directly; any other state is still serialized.</li>
 * </ul>
 * LangGraph4j offers no setter, so {@link #install} sets a field by reflection; if that ever stops
 * working, a warning says which graph is affected. A graph with a serializer of its own choice keeps it.
 */
final class GraphStateSerializer<S extends AgentState> extends StateSerializer<S> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GraphStateSerializer.class);

    private final ObjectStreamStateSerializer<S> original;
    /** The graph's own loader, or null when LangGraph4j's resolves its classes. */
    private final ClassLoader loader;
    /** Whether copies may skip serialization: only for LangGraph4j's own class, whose copy {@link StateCopy} knows. */
    private final boolean direct;

    private GraphStateSerializer(ObjectStreamStateSerializer<S> original, ClassLoader loader) {
        super(original.stateFactory());
        this.original = original;
        this.loader = loader;
        this.direct = original.getClass() == ObjectStreamStateSerializer.class;
    }

    /**
     * In a graph whose states LangGraph4j's default serializer writes: {@code loader} (a plugin's)
     * resolves their classes, and plain states are copied without serializing.
     */
    static <S extends AgentState> void install(StateGraph<S> graph, ClassLoader loader, String graphId) {
        if (!(graph.getStateSerializer() instanceof ObjectStreamStateSerializer<S> current)) return;
        boolean plugin = loader != null && loader != StateGraph.class.getClassLoader();
        if (!plugin && current.getClass() != ObjectStreamStateSerializer.class) return; // a subclass of the graph's own: its choice
        try {
            var field = StateGraph.class.getDeclaredField("stateSerializer");
            field.setAccessible(true);
            field.set(graph, new GraphStateSerializer<>(current, plugin ? loader : null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("graph {}: LangGraph4j's state serializer could not be replaced ({}): {}", graphId, e.toString(),
                    plugin ? "its states cannot hold the plugin's own classes" : "each step's state is copied by serializing it");
        }
    }

    @Override
    public S cloneObject(S state) throws IOException, ClassNotFoundException {
        var copy = direct ? StateCopy.of(original.mapper(), state.data()) : null;
        return copy != null ? stateFactory().apply(copy) : super.cloneObject(state);
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
        if (loader == null) return super.bytesToObject(bytes);
        try (var in = new GraphObjectInput(new ByteArrayInputStream(bytes), loader)) {
            return read(in);
        }
    }
}
