package dev.tether.graphs;

import dev.tether.api.GraphDefinition;
import dev.tether.api.Inputs;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * The demonstration that an in-process thread cannot be forced: its middle node spins, ignoring
 * interrupts and every cancel check. A cancel leaves it STUCK after the grace; only a separate
 * process could be killed.
 */
public final class StubbornGraph implements GraphDefinition {

    @Override
    public String id() {
        return "stubborn";
    }

    @Override
    public String title() {
        return "Stubborn";
    }

    @Override
    public String description() {
        return "Spins in a node ignoring interrupts and cancel checks: becomes STUCK when cancelled";
    }

    @Override
    public Map<String, Object> defaultInput() {
        var in = new LinkedHashMap<String, Object>();
        in.put("seconds", 30);
        return in;
    }

    @Override
    public StateGraph<AgentState> build() throws GraphStateException {
        return new StateGraph<>(AgentState::new)
                .addNode("warm-up", node_async(s -> Map.of("warm", true)))
                .addNode("ignore-cancel", node_async(s -> Map.of("spins", spin(Inputs.longOf(s.data(), "seconds", 30)))))
                .addNode("finish", node_async(s -> Map.of("done", true)))
                .addEdge(START, "warm-up")
                .addEdge("warm-up", "ignore-cancel")
                .addEdge("ignore-cancel", "finish")
                .addEdge("finish", END);
    }

    static long spin(long seconds) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long spins = 0;
        while (System.nanoTime() < deadline) { // deliberately deaf: no sleep, no interrupt check, no token
            spins++;
            Thread.onSpinWait();
        }
        return spins;
    }
}
