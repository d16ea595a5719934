package dev.tether.control;

import dev.tether.api.Inputs;
import dev.tether.engine.EngineStats;
import dev.tether.engine.GraphInfo;
import dev.tether.engine.RunEngine;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@link ControlClient} over an engine in this process; also what the HTTP API serves. */
public final class InProcessControlClient implements ControlClient {
    private final RunEngine engine;
    private final boolean owning;

    public InProcessControlClient(RunEngine engine) {
        this(engine, false);
    }

    /** @param owning whether closing this client closes the engine (a connection opened for one command) */
    public InProcessControlClient(RunEngine engine, boolean owning) {
        this.engine = engine;
        this.owning = owning;
    }

    @Override
    public void close() {
        if (owning) engine.close();
    }

    @Override
    public List<GraphInfo> graphs() {
        return engine.graphs();
    }

    @Override
    public List<RunSnapshot> list(boolean includeFinished) {
        var runs = includeFinished ? engine.registry().all() : engine.activeRuns(); // a view that mirrors nothing reads them
        return runs.stream().sorted(java.util.Comparator.comparing(RunSnapshot::submittedAt)).toList();
    }

    @Override
    public dev.tether.run.ActivePage active(dev.tether.run.ActiveQuery query) {
        return engine.active(query);
    }

    @Override
    public dev.tether.history.HistoryPage history(dev.tether.history.HistoryQuery query) {
        return engine.history(query);
    }

    @Override
    public RunSnapshot get(String runId) {
        String id;
        try {
            id = RunIds.checkReference(runId);
        } catch (IllegalArgumentException e) {
            throw new ControlException(ControlException.Kind.BAD_INPUT, e.getMessage());
        }
        try {
            return engine.find(id).orElseThrow(() -> unknown(id)); // the history's runs too, as list --all shows them
        } catch (IllegalArgumentException ambiguous) {
            throw new ControlException(ControlException.Kind.BAD_INPUT, ambiguous.getMessage() + "; give more characters");
        }
    }

    @Override
    public RunSnapshot submit(String graphId, String queue, Map<String, String> input, dev.tether.run.RunPolicy policy) {
        var graph = engine.graphs().stream().filter(g -> g.id().equals(graphId)).findFirst()
                .orElseThrow(() -> new ControlException(ControlException.Kind.BAD_INPUT, "unknown graph '" + graphId
                        + "' (known: " + String.join(", ", engine.graphs().stream().map(GraphInfo::id).toList()) + ")"));
        try {
            if (queue != null && !queue.isBlank()) dev.tether.engine.QueueNames.requireValid(queue);
            var typed = Inputs.coerce(graph.defaultInput(), input == null ? Map.of() : input);
            return engine.submit(graphId, queue == null || queue.isBlank() ? null : queue, typed, policy);
        } catch (IllegalArgumentException e) {
            throw new ControlException(ControlException.Kind.BAD_INPUT, e.getMessage());
        } catch (IllegalStateException e) {
            throw new ControlException(ControlException.Kind.UNREACHABLE, e.getMessage());
        }
    }

    @Override
    public CancelResult cancel(String runId, CancelRequest request) {
        var run = get(runId);
        try {
            var outcome = engine.cancel(run.runId(), request.origin() == null ? request.withOrigin(CancelOrigin.API) : request);
            if (outcome == dev.tether.run.CancelOutcome.UNKNOWN_RUN) { // found in the history only, and still active there
                throw new ControlException(ControlException.Kind.UNKNOWN_RUN, "run '" + run.shortId() + "' is " + run.status()
                        + " in the history but not executed by this instance: cancel it where it runs");
            }
            return new CancelResult(run.runId(), outcome, engine.registry().get(run.runId()).orElse(run));
        } catch (UnsupportedOperationException e) {
            throw new ControlException(ControlException.Kind.BAD_INPUT, e.getMessage());
        }
    }

    @Override
    public RunSnapshot resume(String runId, String afterNode) {
        var id = known(runId);
        try {
            return engine.resume(id, afterNode == null || afterNode.isBlank() ? null : afterNode);
        } catch (java.util.NoSuchElementException e) {
            throw unknown(runId);
        } catch (IllegalArgumentException e) {
            throw new ControlException(ControlException.Kind.NOT_RESUMABLE, e.getMessage());
        } catch (IllegalStateException | UnsupportedOperationException e) {
            throw new ControlException(engine.isShutdown() ? ControlException.Kind.UNREACHABLE : ControlException.Kind.NOT_RESUMABLE, e.getMessage());
        }
    }

    @Override
    public List<dev.tether.engine.CheckpointInfo> checkpoints(String runId) {
        return engine.checkpoints(known(runId));
    }

    @Override
    public List<RunSnapshot> attempts(String runId) {
        var id = known(runId);
        var all = engine.attempts(id);
        if (all.isEmpty()) throw unknown(runId);
        return all;
    }

    /**
     * The full id of a run in memory; else the reference as given, for the engine to look up in its
     * archive (a run of an earlier process is found there by its full id).
     */
    private String known(String runId) {
        try {
            return get(runId).runId();
        } catch (ControlException e) {
            if (e.kind() != ControlException.Kind.UNKNOWN_RUN) throw e;
            return runId;
        }
    }

    @Override
    public dev.tether.engine.BulkCancelReport cancelAll(CancelRequest request, Duration wait) {
        try {
            return dev.tether.engine.BulkCancel.all(engine, request.origin() == null ? request.withOrigin(CancelOrigin.API) : request, wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException(ControlException.Kind.UNREACHABLE, "interrupted while waiting for the runs to stop");
        }
    }

    @Override
    public Optional<RunSnapshot> awaitTerminal(String runId, Duration timeout) {
        var run = get(runId);
        try {
            return engine.awaitTerminal(run.runId(), timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public EngineStats stats() {
        return engine.stats();
    }

    @Override
    public String mode() {
        return engine.mode();
    }

    private static ControlException unknown(String runId) {
        return new ControlException(ControlException.Kind.UNKNOWN_RUN, "no run '" + runId + "'");
    }
}
