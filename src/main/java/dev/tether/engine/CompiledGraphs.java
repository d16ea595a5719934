package dev.tether.engine;

import dev.tether.catalog.GraphCatalog;
import org.bsc.langgraph4j.CompileConfig;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.checkpoint.BaseCheckpointSaver;
import org.bsc.langgraph4j.hook.NodeHook;
import org.bsc.langgraph4j.state.AgentState;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** Compiles each graph once, with the engine's node hook and fenced checkpoint saver, and caches it. */
final class CompiledGraphs {
    private final GraphCatalog catalog;
    private final BaseCheckpointSaver saver;
    private final int recursionLimit;
    private final NodeHook.WrapCall<AgentState> hook;
    private final ConcurrentHashMap<String, CompiledGraph<?>> compiled = new ConcurrentHashMap<>();
    private volatile List<GraphInfo> infos; // built on first use: building every graph is start-up time the window should not wait for

    private final dev.tether.policy.PolicyBook policies;

    CompiledGraphs(GraphCatalog catalog, BaseCheckpointSaver saver, int recursionLimit, NodeHook.WrapCall<AgentState> hook,
                   dev.tether.policy.PolicyBook policies) {
        this.catalog = catalog;
        this.policies = policies;
        this.saver = saver;
        this.recursionLimit = recursionLimit;
        this.hook = hook;
    }

    List<GraphInfo> infos() {
        var i = infos;
        if (i == null) infos = i = catalog.all().stream()
                .map(d -> GraphInfo.describe(d, d.defaultQueue(), policies.resolve(d, d.defaultQueue(), null))).toList();
        return i;
    }

    GraphCatalog catalog() {
        return catalog;
    }

    CompiledGraph<?> get(String graphId) throws GraphStateException {
        return get(graphId, null);
    }

    /**
     * The graph compiled so that LangGraph4j's own recursion limit never comes before a run's
     * {@code maxSteps} (null: none): Tether stops such a run itself, at the node boundary, as a step
     * limit. Compiled once per limit in use.
     */
    CompiledGraph<?> get(String graphId, Integer maxSteps) throws GraphStateException {
        // LangGraph4j counts every iteration (START and END included): leave room beyond the last step allowed.
        int limit = maxSteps == null ? recursionLimit : Math.max(recursionLimit, maxSteps + 4);
        var key = limit == recursionLimit ? graphId : graphId + "#" + limit;
        var g = compiled.get(key);
        if (g != null) return g;
        var definition = catalog.require(graphId);
        var graph = definition.build();
        GraphStateSerializer.install(graph, StateClasses.of(definition).loader(), graphId);
        var fresh = compile(graph, limit);
        var prev = compiled.putIfAbsent(key, fresh);
        return prev != null ? prev : fresh;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private <S extends AgentState> CompiledGraph<S> compile(StateGraph<S> graph, int recursionLimit) throws GraphStateException {
        graph.addWrapCallNodeHook((NodeHook.WrapCall) hook);
        var cfg = CompileConfig.builder().recursionLimit(recursionLimit);
        if (saver != null) cfg.checkpointSaver(saver);
        return graph.compile(cfg.build());
    }


}
