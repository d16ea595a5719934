package dev.tether.console;

import dev.tether.api.Cancellation;
import dev.tether.api.GraphDefinition;
import dev.tether.api.Inputs;
import dev.tether.graphs.StubbornGraph;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/** Graphs whose behaviour the console tests control: a sleeper, a failure, and the stubborn one. */
final class ConsoleGraphs {
    private ConsoleGraphs() {}

    static GraphDefinition sleeper() {
        return new Simple("sleeper", "ops", Map.of("millis", 60_000L), () -> new StateGraph<>(AgentState::new)
                .addNode("prepare", node_async(s -> Map.of("ready", true)))
                .addNode("wait", node_async(s -> {
                    Cancellation.current().sleep(java.time.Duration.ofMillis(Inputs.longOf(s.data(), "millis", 60_000)));
                    return Map.of("waited", true);
                }))
                .addEdge(START, "prepare").addEdge("prepare", "wait").addEdge("wait", END));
    }

    static GraphDefinition failing() {
        return new Simple("failing", "ops", Map.of(), () -> new StateGraph<>(AgentState::new)
                .addNode("write", node_async(s -> {
                    throw new IllegalStateException("disk full while writing chapter 2");
                }))
                .addEdge(START, "write").addEdge("write", END));
    }

    /** A graph whose build() takes {@code millis}: describing it (for the Submit dialog) is slow. */
    /** A graph whose build (a slow plugin's) does not return before {@code release} is counted down. */
    static GraphDefinition slowToBuild(java.util.concurrent.CountDownLatch release) {
        return new Simple("slow", "ops", Map.of(), () -> {
            if (!release.await(1, java.util.concurrent.TimeUnit.MINUTES)) throw new IllegalStateException("the test never let the build end");
            return new StateGraph<>(AgentState::new).addNode("a", node_async(s -> Map.of())).addEdge(START, "a").addEdge("a", END);
        });
    }

    static GraphDefinition stubborn() {
        return new StubbornGraph();
    }

    /** Released by {@link #releaseDeaf()}; until then the "deaf" graph's node ignores interrupts and its token. */
    private static final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CountDownLatch> DEAF_RELEASE =
            new java.util.concurrent.atomic.AtomicReference<>(new java.util.concurrent.CountDownLatch(1));

    /**
     * Like the stubborn graph, but it ends when the test says so (at most after a minute) instead of
     * after a fixed spin: a test that takes long on a slow machine still finds it running, and no
     * spinning thread outlives the test.
     */
    static GraphDefinition deaf() {
        return new Simple("deaf", "default", Map.of(), () -> new StateGraph<>(AgentState::new)
                .addNode("ignore-cancel", node_async(s -> {
                    var release = DEAF_RELEASE.get();
                    long end = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
                    while (release.getCount() > 0 && System.nanoTime() < end) {
                        try {
                            release.await(10, java.util.concurrent.TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            // deliberately deaf
                        }
                    }
                    return Map.of();
                }))
                .addEdge(START, "ignore-cancel").addEdge("ignore-cancel", END));
    }

    static void releaseDeaf() {
        DEAF_RELEASE.getAndSet(new java.util.concurrent.CountDownLatch(1)).countDown();
    }

    private interface Builder {
        StateGraph<AgentState> build() throws Exception;
    }

    private record Simple(String id, String queue, Map<String, Object> input, Builder builder) implements GraphDefinition {
        @Override
        public String title() {
            return Character.toUpperCase(id.charAt(0)) + id.substring(1);
        }

        @Override
        public String description() {
            return "test graph " + id;
        }

        @Override
        public String defaultQueue() {
            return queue;
        }

        @Override
        public Map<String, Object> defaultInput() {
            return new LinkedHashMap<>(input);
        }

        @Override
        public StateGraph<AgentState> build() {
            try {
                return builder.build();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
