package dev.tether.engine;

import dev.tether.api.Cancellation;
import dev.tether.api.RunCancelledException;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.action.AsyncNodeActionWithConfig;
import org.bsc.langgraph4j.state.AgentState;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The hook around every node of every graph the engine compiles: the node boundary (no node starts
 * after a stop of any level), the current node and steps, node futures, and the prompt end of an
 * async node on cancel.
 */
final class NodeWrapper {
    private final RunRegistry registry;

    NodeWrapper(RunRegistry registry) {
        this.registry = registry;
    }

    CompletableFuture<Map<String, Object>> wrap(String nodeId, AgentState state, RunnableConfig runConfig,
                                                AsyncNodeActionWithConfig<AgentState> action) {
        var cancellation = Cancellation.from(runConfig);
        if (!(cancellation instanceof RunControl control)) { // a graph run outside the engine
            try {
                return action.apply(state, runConfig);
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        if (control.stopRequested() || !control.nodeAllowed()) { // node boundary: never start another node after a stop
            return CompletableFuture.failedFuture(new RunCancelledException("run " + control.runId + " cancelled before node " + nodeId));
        }
        control.currentNode = nodeId;
        if (control.watchesNodes()) control.nodeStartNanos = System.nanoTime();
        registry.apply(new RunEvent.NodeStarted(control.runId, nodeId, Instant.now()));
        CompletableFuture<Map<String, Object>> nodeFuture;
        try {
            nodeFuture = action.apply(state, runConfig);
        } catch (Throwable t) {
            nodeFuture = CompletableFuture.failedFuture(t);
        }
        if (nodeFuture.isDone()) { // synchronous node: the common, cheap path
            finished(control, nodeId, !nodeFuture.isCompletedExceptionally());
            return nodeFuture;
        }
        control.track(nodeFuture);
        // LangGraph4j chains its checkpoint write onto the future we return. Hand it a proxy that
        // fails at once on cancel, so the run stops now and no late checkpoint follows the node.
        var proxy = new CompletableFuture<Map<String, Object>>();
        var registration = control.onCancel(() -> proxy.completeExceptionally(
                new RunCancelledException("run " + control.runId + " cancelled in node " + nodeId)));
        nodeFuture.whenComplete((value, failure) -> {
            registration.close();
            finished(control, nodeId, failure == null);
            if (failure == null) proxy.complete(value);
            else proxy.completeExceptionally(failure);
        });
        return proxy;
    }

    private void finished(RunControl control, String nodeId, boolean ok) {
        if (control.watchesNodes()) control.nodeStartNanos = 0;
        registry.apply(new RunEvent.NodeFinished(control.runId, nodeId, ok, Instant.now()));
    }
}
