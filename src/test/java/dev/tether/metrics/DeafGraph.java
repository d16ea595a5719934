package dev.tether.metrics;

import dev.tether.api.GraphDefinition;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * A graph whose only node ignores interrupts and its token until {@link #letGo()}: a cancelled run
 * of it ends STUCK however late the watchdog looks (a fixed spin could end before it does).
 */
final class DeafGraph implements GraphDefinition {
    private final CountDownLatch letGo = new CountDownLatch(1);

    @Override
    public String id() {
        return "deaf";
    }

    @Override
    public String title() {
        return "Deaf";
    }

    @Override
    public String description() {
        return "ignores cancellation until the test lets it go";
    }

    void letGo() {
        letGo.countDown();
    }

    @Override
    public StateGraph<AgentState> build() throws GraphStateException {
        return new StateGraph<>(AgentState::new)
                .addNode("ignore-cancel", node_async(s -> {
                    while (true) {
                        try {
                            if (letGo.await(1, TimeUnit.MINUTES)) return Map.of();
                        } catch (InterruptedException deafToIt) {
                            // keeps going
                        }
                    }
                }))
                .addEdge(START, "ignore-cancel")
                .addEdge("ignore-cancel", END);
    }
}
