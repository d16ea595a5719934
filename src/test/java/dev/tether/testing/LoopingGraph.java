package dev.tether.testing;

import dev.tether.api.GraphDefinition;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.util.Map;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncEdgeAction.edge_async;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/** A graph that never ends by itself: its one node loops back to itself (what max-steps is for). */
public final class LoopingGraph implements GraphDefinition {
    @Override public String id() { return "looping"; }
    @Override public String title() { return "Looping"; }
    @Override public String description() { return "Loops forever (tests)"; }

    @Override
    public StateGraph<AgentState> build() throws GraphStateException {
        return new StateGraph<>(AgentState::new)
                .addNode("spin", node_async(s -> Map.of()))
                .addEdge(START, "spin")
                .addConditionalEdges("spin", edge_async(s -> "again"), Map.of("again", "spin", "done", END));
    }
}
