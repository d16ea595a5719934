package dev.tether.redis;

import dev.tether.api.GraphDefinition;
import dev.tether.api.RunCancelledException;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A graph as a worker runs it: before every node it passes the heartbeat's gate, so no node starts
 * while the worker is out of contact with Redis (others may be declaring its runs LOST).
 */
final class GatedGraph implements GraphDefinition, dev.tether.catalog.WrappedGraph {
    private final GraphDefinition graph;
    private final Heartbeat heartbeat;

    GatedGraph(GraphDefinition graph, Heartbeat heartbeat) {
        this.graph = graph;
        this.heartbeat = heartbeat;
    }

    @Override public GraphDefinition wrapped() { return graph; }
    @Override public String id() { return graph.id(); }
    @Override public String title() { return graph.title(); }
    @Override public String description() { return graph.description(); }
    @Override public String defaultQueue() { return graph.defaultQueue(); }
    @Override public Map<String, Object> defaultInput() { return graph.defaultInput(); }
    @Override public dev.tether.run.RunPolicy policy() { return graph.policy(); }

    @Override
    public StateGraph<? extends AgentState> build() throws GraphStateException {
        return gate(graph.build());
    }

    private <S extends AgentState> StateGraph<S> gate(StateGraph<S> g) {
        return g.addBeforeCallNodeHook((node, state, config) -> {
            boolean go;
            try {
                go = heartbeat.awaitFresh(dev.tether.api.Cancellation.from(config));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                go = false;
            }
            // cancelled while held: the node must not start (and the run ends now, not after the gate opens)
            if (!go) return CompletableFuture.failedFuture(new RunCancelledException("cancelled while held before node " + node));
            return CompletableFuture.completedFuture(Map.of());
        });
    }
}
