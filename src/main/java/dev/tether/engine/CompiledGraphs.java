package dev.tether.engine;

import dev.tether.api.GraphDefinition;
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

    CompiledGraphs(GraphCatalog catalog, BaseCheckpointSaver saver, int recursionLimit, NodeHook.WrapCall<AgentState> hook) {
        this.catalog = catalog;
        this.saver = saver;
        this.recursionLimit = recursionLimit;
        this.hook = hook;
    }

    List<GraphInfo> infos() {
        var i = infos;
        if (i == null) infos = i = catalog.all().stream().map(CompiledGraphs::describe).toList();
        return i;
    }

    GraphCatalog catalog() {
        return catalog;
    }

    CompiledGraph<?> get(String graphId) throws GraphStateException {
        var g = compiled.get(graphId);
        if (g != null) return g;
        var definition = catalog.require(graphId);
        var graph = definition.build();
        PluginStateSerializer.install(graph, StateClasses.of(definition).loader(), graphId);
        var fresh = compile(graph);
        var prev = compiled.putIfAbsent(graphId, fresh);
        return prev != null ? prev : fresh;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private <S extends AgentState> CompiledGraph<S> compile(StateGraph<S> graph) throws GraphStateException {
        graph.addWrapCallNodeHook((NodeHook.WrapCall) hook);
        var cfg = CompileConfig.builder().recursionLimit(recursionLimit);
        if (saver != null) cfg.checkpointSaver(saver);
        return graph.compile(cfg.build());
    }

    private static GraphInfo describe(GraphDefinition d) {
        return GraphInfo.describe(d, d.defaultQueue());
    }

}
