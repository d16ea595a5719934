package dev.tether.graphs;

import dev.tether.api.GraphDefinition;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/** A short two-node run: render a welcome email, then send it (simulated). */
public final class WelcomeEmailGraph implements GraphDefinition {

    @Override
    public String id() {
        return "welcome-email";
    }

    @Override
    public String title() {
        return "Welcome email";
    }

    @Override
    public String description() {
        return "Render and send a welcome email (simulated, a fraction of a second)";
    }

    @Override
    public String defaultQueue() {
        return "email";
    }

    @Override
    public Map<String, Object> defaultInput() {
        var in = new LinkedHashMap<String, Object>();
        in.put("to", "new.user@example.com");
        in.put("nodeMillis", 150);
        in.put("jitter", 0.3);
        return in;
    }

    @Override
    public StateGraph<AgentState> build() throws GraphStateException {
        return new StateGraph<>(AgentState::new)
                .addNode("render", node_async(s -> {
                    SimulatedWork.pause(s.data(), 150);
                    return Map.of("body", "Welcome, " + s.value("to").orElse("friend") + "!");
                }))
                .addNode("send", node_async(s -> {
                    SimulatedWork.pause(s.data(), 150);
                    return Map.of("sent", true);
                }))
                .addEdge(START, "render")
                .addEdge("render", "send")
                .addEdge("send", END);
    }
}
