package dev.tether.engine;

import dev.tether.api.GraphDefinition;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.action.AsyncNodeActionWithConfig;
import org.bsc.langgraph4j.state.AgentState;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;

/** A linear graph made of the given nodes, in order: the shapes the engine tests need. */
record TestGraph(String id, Map<String, AsyncNodeActionWithConfig<AgentState>> nodes) implements GraphDefinition {

    interface Body {
        Map<String, Object> run(AgentState state) throws Exception;
    }

    static TestGraph linear(String id, Object... namesAndBodies) {
        var nodes = new LinkedHashMap<String, AsyncNodeActionWithConfig<AgentState>>();
        for (int i = 0; i < namesAndBodies.length; i += 2) {
            var name = (String) namesAndBodies[i];
            var node = namesAndBodies[i + 1];
            if (node instanceof Body body) {
                nodes.put(name, (state, config) -> {
                    try {
                        return CompletableFuture.completedFuture(body.run(state));
                    } catch (Exception e) {
                        return CompletableFuture.failedFuture(e);
                    }
                });
            } else {
                @SuppressWarnings("unchecked")
                var async = (AsyncNodeActionWithConfig<AgentState>) node;
                nodes.put(name, async);
            }
        }
        return new TestGraph(id, nodes);
    }

    static Body quick() {
        return s -> Map.of();
    }

    @Override
    public String title() {
        return id;
    }

    @Override
    public String description() {
        return "test graph " + id;
    }

    @Override
    public StateGraph<AgentState> build() throws GraphStateException {
        var g = new StateGraph<>(AgentState::new);
        String prev = START;
        for (var e : nodes.entrySet()) {
            g.addNode(e.getKey(), e.getValue());
            g.addEdge(prev, e.getKey());
            prev = e.getKey();
        }
        g.addEdge(prev, END);
        return g;
    }

    /**
     * One node, "ignore-cancel", deaf to interrupts and its token until {@code letGo}: a cancelled run
     * of it ends STUCK however late the watchdog looks (a fixed spin could end before it does).
     */
    static TestGraph deafUntil(java.util.concurrent.CountDownLatch letGo) {
        return linear("deaf", "ignore-cancel", (Body) s -> {
            while (true) {
                try {
                    if (letGo.await(1, java.util.concurrent.TimeUnit.MINUTES)) return java.util.Map.of();
                } catch (InterruptedException ignored) {
                    // deaf
                }
            }
        });
    }
}
