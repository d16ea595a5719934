package dev.tether.engine;

import dev.tether.catalog.GraphCatalog;
import dev.tether.policy.PolicyBook;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.serializer.StateSerializer;
import org.bsc.langgraph4j.serializer.std.ObjectStreamStateSerializer;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.Test;

import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every graph built with LangGraph4j's default state serializer runs with Tether's: the same copy of
 * the state at every step, made without serializing when the state is plain.
 */
class GraphStateSerializerTest {
    record Note(String text) implements Serializable {}

    /** LangGraph4j's default serializer of a graph, and what Tether installs in its place. */
    private record Serializers(StateSerializer<AgentState> langgraph, StateSerializer<AgentState> tether) {
        static Serializers ofNewGraph() {
            var graph = new StateGraph<>(AgentState::new);
            var langgraph = graph.getStateSerializer();
            GraphStateSerializer.install(graph, StateGraph.class.getClassLoader(), "g");
            return new Serializers(langgraph, graph.getStateSerializer());
        }
    }

    @Test
    void everyGraphTheEngineCompilesWithLangGraph4jsDefaultSerializerRunsWithTethers() throws Exception {
        var graphs = new CompiledGraphs(GraphCatalog.load(null), null, 50, (node, state, config, action) -> action.apply(state, config),
                PolicyBook.empty());

        for (var id : List.of("welcome-email", "book-workflow")) {
            assertThat(graphs.get(id).stateGraph.getStateSerializer()).as(id).isInstanceOf(GraphStateSerializer.class);
        }
    }

    @Test
    void aSerializerOfTheGraphsOwnChoiceIsKept() {
        var own = new ObjectStreamStateSerializer<AgentState>(AgentState::new) {};
        var graph = new StateGraph<>(own);

        GraphStateSerializer.install(graph, StateGraph.class.getClassLoader(), "own");

        assertThat(graph.getStateSerializer()).isSameAs(own);
    }

    @Test
    void theCopyOfAStateIsTheOneLangGraph4jMakesPlainOrNot() throws Exception {
        var s = Serializers.ofNewGraph();
        var plain = new HashMap<String, Object>(Map.of("messages", List.of(Map.of("role", "user", "text", "hi")), "count", 3));
        var withNote = new HashMap<String, Object>(Map.of("note", new Note("kept"), "count", 3));

        for (var data : List.of(plain, withNote)) {
            var ours = s.tether().cloneObject(data).data();
            assertThat(ours).isEqualTo(s.langgraph().cloneObject(data).data());
            assertThat(ours.get("messages") == null || ours.get("messages") instanceof ArrayList<?>).isTrue();
        }
        assertThat(s.tether().cloneObject(withNote).data().get("note")).isNotSameAs(withNote.get("note")); // serialized: a copy of its own
    }

    /**
     * Not a timing: the bytes the copying thread allocates, which serializing (object streams, their
     * buffers and handle tables) multiplies. BENCHMARKS.md has the times.
     */
    @Test
    void aPlainStateIsCopiedWithoutSerializingIt() throws Exception {
        var s = Serializers.ofNewGraph();
        var data = new HashMap<String, Object>(Map.of("customer", "ada@example.com", "step", 2, "sent", List.of("welcome")));

        long serializing = allocatedBy(() -> s.langgraph().cloneObject(data));
        long copying = allocatedBy(() -> s.tether().cloneObject(data));

        assertThat(copying).isLessThan(serializing / 2);
    }

    interface Copy {
        Object run() throws Exception;
    }

    private static long allocatedBy(Copy copy) throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 200; i++) copy.run(); // classes loaded, caches filled
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000; i++) copy.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }
}
