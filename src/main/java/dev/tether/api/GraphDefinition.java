package dev.tether.api;

import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.util.Map;

/**
 * A graph Tether can run, found with {@link java.util.ServiceLoader} on the class path and in plugin
 * jars (list the class in {@code META-INF/services/dev.tether.api.GraphDefinition}).
 *
 * <p>The name matches what it is for graph authors; it is unrelated to LangGraph4j's own internal
 * {@code org.bsc.langgraph4j.GraphDefinition}.
 */
public interface GraphDefinition {

    /** Stable id used to submit runs: lower-case words joined by dashes, e.g. {@code book-workflow}. */
    String id();

    String title();

    String description();

    /** The queue runs go to unless routing or the submitter says otherwise. */
    default String defaultQueue() {
        return "default";
    }

    /**
     * The input a run gets when the submitter gives none. Its keys are the inputs the graph
     * understands and its values' types (String, Integer, Long, Double, Boolean) are how text input
     * is parsed: see {@link Inputs#coerce}.
     */
    default Map<String, Object> defaultInput() {
        return Map.of();
    }

    /**
     * The graph's own default run policy (limits, retries, its concurrency): the least specific level,
     * overridden per queue and per graph by {@code policies.properties} in the Tether home and per run
     * by the submitter. Called once, when the graph is loaded. For example:
     * {@code return RunPolicy.of(Map.of("max-runtime", "10m", "retries", "2"));}
     */
    default dev.tether.run.RunPolicy policy() {
        return dev.tether.run.RunPolicy.NONE;
    }

    /**
     * A fresh, uncompiled graph. The engine adds its hooks and checkpoint saver and compiles it;
     * nodes should be idempotent, since a run resumed after a cancel runs its interrupted node again.
     */
    StateGraph<? extends AgentState> build() throws GraphStateException;
}
