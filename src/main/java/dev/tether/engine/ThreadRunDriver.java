package dev.tether.engine;

import dev.tether.api.Cancellation;
import dev.tether.api.RunCancelledException;
import dev.tether.registry.RunRegistry;
import dev.tether.run.ErrorInfo;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import org.bsc.langgraph4j.CompiledGraph;
import org.bsc.langgraph4j.GraphInput;
import org.bsc.langgraph4j.NodeOutput;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.StateGraph;

import java.time.Duration;
import java.time.Instant;

/**
 * Executes one run on the calling thread: drives the graph's iterator itself (so it always knows
 * the node and step), then reports how it ended. A cancelled run is CANCELLED only once its thread
 * and node futures are done, STUCK if that takes longer than the grace.
 */
final class ThreadRunDriver implements RunDriver {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ThreadRunDriver.class);

    private final CompiledGraphs graphs;
    private final CheckpointStore checkpoints;
    private final RunRegistry registry;
    private final java.util.function.Function<String, Duration> graceOf;

    /** @param graceOf a graph's cancel grace */
    ThreadRunDriver(CompiledGraphs graphs, CheckpointStore checkpoints, RunRegistry registry,
                    java.util.function.Function<String, Duration> graceOf) {
        this.graphs = graphs;
        this.checkpoints = checkpoints;
        this.registry = registry;
        this.graceOf = graceOf;
    }

    /** Drives one run to its end; returns the terminal snapshot (null if another party ended it, e.g. STUCK). */
    @Override
    public RunSnapshot drive(RunRequest request, RunControl control) {
        control.attach(Thread.currentThread());
        try {
            Throwable error = null;
            boolean reachedEnd = false;
            try {
                var compiled = graphs.get(request.graphId(), request.policy() == null ? null : request.policy().maxSteps());
                var definition = graphs.catalog().require(request.graphId());
                var classes = StateClasses.of(definition);
                var start = start(request, classes);
                var runConfig = RunnableConfig.builder()
                        .threadId(request.runId())
                        .addMetadata(Cancellation.CONFIG_KEY, control)
                        .addMetadata(FencedCheckpointSaver.FRESH_RUN, start == FRESH)
                        .build();
                var input = start == FRESH ? GraphInput.args(request.input()) : start;
                // The graph's own loader: its code may look up resources and services by the context
                // loader, and its checkpoints hold its own classes (a plugin's are not on the class path).
                var thread = Thread.currentThread();
                var before = thread.getContextClassLoader();
                thread.setContextClassLoader(classes.loader());
                try {
                    reachedEnd = CheckpointCodec.decodingFor(classes,
                            () -> Cancellation.callWith(control, () -> iterate(compiled, input, runConfig, control)));
                } finally {
                    thread.setContextClassLoader(before);
                }
            } catch (Throwable t) {
                error = t;
            }
            return finish(request, control, reachedEnd, error);
        } finally {
            control.detach();
        }
    }

    /**
     * A first attempt starts from its input; a resume from a copy of the earlier attempt's checkpoints,
     * up to the chosen one, under its own run id: LangGraph4j continues after that checkpoint's node.
     */
    private GraphInput start(RunRequest request, StateClasses classes) throws Exception {
        if (request.resumeOf() == null) return FRESH;
        if (request.retry() != null && !retryCanResume(request)) return FRESH;
        if (checkpoints == null) throw new IllegalStateException("this engine keeps no checkpoints: nothing to resume from");
        var from = CheckpointCodec.decodingFor(classes, () -> checkpoints.fork(request.runId(), request.resumeOf()));
        LOG.info("run {} resumes run {} after node {}", request.runId(), request.resumeOf().runId(), from.node());
        return GraphInput.resume();
    }

    /** A first attempt's input, told apart from a resume (LangGraph4j's GraphInput has no equals). */
    private static final GraphInput FRESH = GraphInput.args(java.util.Map.of());

    /**
     * Whether a retry has a checkpoint of the attempt it follows to resume from; if not (checkpoints off,
     * or it failed before its first), it starts over from its input, which is what a retry without
     * checkpoints means.
     */
    private boolean retryCanResume(RunRequest request) {
        if (checkpoints == null) return false;
        boolean any = checkpoints.describe(request.resumeOf().runId()).stream().anyMatch(CheckpointInfo::readable);
        if (!any) LOG.info("run {} retries run {} from the start: it left no checkpoint", request.runId(), request.resumeOf().runId());
        return any;
    }

    private static boolean iterate(CompiledGraph<?> compiled, GraphInput input, RunnableConfig runConfig,
                                   RunControl control) throws Exception {
        var gen = compiled.stream(input, runConfig);
        control.generator(gen);
        var it = gen.iterator();
        boolean end = false;
        while (!control.stopRequested() && it.hasNext()) {
            NodeOutput<?> out = it.next();
            if (StateGraph.END.equals(out.node())) end = true;
        }
        return end;
    }

    private RunSnapshot finish(RunRequest request, RunControl control, boolean reachedEnd, Throwable error) {
        var id = request.runId();
        var now = Instant.now();
        if (reachedEnd && error == null) { // it got to END first: say so, even if a cancel raced it
            control.closeFence();
            return registry.apply(new RunEvent.Completed(id, now)).after();
        }
        if (control.stopRequested()) {
            var grace = graceOf.apply(request.graphId());
            long deadline = control.cancelNanos + grace.toNanos();
            boolean stopped = control.awaitNodeFutures(deadline);
            control.closeFence();
            var event = stopped ? new RunEvent.Cancelled(id, control.currentNode, Instant.now())
                    : new RunEvent.Stuck(id, control.currentNode, Instant.now());
            var result = registry.apply(event);
            if (!stopped && result.applied()) LOG.warn("run {} did not stop within {} ms of its cancel: STUCK", id, grace.toMillis());
            return result.after();
        }
        control.closeFence();
        if (error == null) {
            error = new IllegalStateException("graph stopped before reaching END");
        }
        if (error instanceof RunCancelledException) {
            error = new IllegalStateException("a node threw RunCancelledException but the run was not cancelled", error);
        }
        LOG.debug("run {} failed", id, error);
        return registry.apply(new RunEvent.Failed(id, ErrorInfo.of(error), now)).after();
    }
}
