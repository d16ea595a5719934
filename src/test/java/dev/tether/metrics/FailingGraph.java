package dev.tether.metrics;

import dev.tether.api.GraphDefinition;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/** A graph whose only node throws: its runs end FAILED. */
final class FailingGraph implements GraphDefinition {
    @Override
    public String id() {
        return "failing";
    }

    @Override
    public String title() {
        return "Failing";
    }

    @Override
    public String description() {
        return "throws in its first node";
    }

    @Override
    public StateGraph<AgentState> build() throws GraphStateException {
        return new StateGraph<>(AgentState::new)
                .addNode("boom", node_async(s -> {
                    throw new IllegalStateException("boom");
                }))
                .addEdge(START, "boom")
                .addEdge("boom", END);
    }
}
