package dev.tether.engine;

import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;

import java.time.Instant;
import java.util.function.Function;

/**
 * What a slot does with a job: registers the run if it came from elsewhere, starts it (unless it was
 * cancelled while queued, or the engine is shutting down: then it is cancelled before it starts),
 * executes it on the driver its isolation asks for, and reports the end to the job's source.
 */
final class JobExecutor {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobExecutor.class);

    private final RunRegistry registry;
    private final LiveRuns runs;
    private final String workerName;
    private final CheckpointStore checkpoints;
    private final Function<String, RunDriver> driverFor;
    private final PolicyWatch policies;
    private final java.util.function.BiConsumer<String, dev.tether.run.CancelRequest> cancel;
    private final StartGate gate;
    /** Writes a run's state durably now, on the caller's thread (the engine's journal). */
    private final java.util.function.Consumer<RunSnapshot> onRecord;
    private volatile dev.tether.run.CancelOrigin shutdownOrigin = dev.tether.run.CancelOrigin.SHUTDOWN;
    /** Runs a slot took as the shutdown began and cancelled before they started: the shutdown's cancels too. */
    private final java.util.Set<String> cancelledAtShutdown = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param driverFor the driver for a graph id (thread or process, by its isolation)
     * @param policies  watches each run's deadlines while it runs
     * @param cancel    the engine's cancel (a run's own limits stop it through it)
     * @param gate      the engine's start gate: closed once a shutdown has begun
     */
    JobExecutor(RunRegistry registry, LiveRuns runs, String workerName, CheckpointStore checkpoints,
                Function<String, RunDriver> driverFor, PolicyWatch policies,
                java.util.function.BiConsumer<String, dev.tether.run.CancelRequest> cancel, StartGate gate,
                java.util.function.Consumer<RunSnapshot> onRecord) {
        this.onRecord = onRecord;
        this.registry = registry;
        this.runs = runs;
        this.workerName = workerName;
        this.checkpoints = checkpoints;
        this.driverFor = driverFor;
        this.policies = policies;
        this.cancel = cancel;
        this.gate = gate;
    }

    /** Who a job taken during the shutdown is cancelled for. */
    void shutdownOrigin(dev.tether.run.CancelOrigin origin) {
        if (origin != null) this.shutdownOrigin = origin;
    }

    void execute(Job job, SlotPool.Slot slot) {
        var request = job.request();
        var id = request.runId();
        var control = runs.adopt(id);
        if (!control.claim()) {
            duplicate(job, control);
            return;
        }
        if (!gate.enter()) { // the engine is shutting down: nothing starts any more
            notStarted(job, control);
            return;
        }
        dev.tether.registry.ApplyResult started;
        try {
            if (registry.get(id).isEmpty()) { // arrived from an external source (e.g. Redis)
                registry.apply(request.submitted());
            }
            started = registry.apply(new RunEvent.Started(id, workerName, Instant.now()));
        } finally {
            gate.exit();
        }
        if (!started.applied()) { // cancelled while queued, or already handled elsewhere
            runs.remove(id, control);
            var current = started.current();
            control.terminal.complete(current);
            if (current != null && current.isTerminal()) job.finished(current);
            return;
        }
        // On record (the durable history) before its first node runs: a process killed in the node
        // leaves a run that started, found LOST by the next start, never one that "never started".
        onRecord.accept(started.after());
        slot.occupy(id);
        RunSnapshot terminal;
        try {
            if (request.policy() != null) {
                control.limits(request.policy().maxSteps(), stop -> cancel.accept(id, stop));
                policies.started(control, request);
            }
            terminal = driverFor.apply(request.graphId()).drive(request, control);
        } catch (RuntimeException | Error e) { // a driver bug must still end the run, or it would stay RUNNING forever
            LOG.error("run {}: its driver failed", id, e);
            control.closeFence();
            terminal = registry.apply(new RunEvent.Failed(id, dev.tether.run.ErrorInfo.of(e), Instant.now())).after();
        } finally {
            policies.ended(control);
            slot.free();
        }
        runs.remove(id, control);
        if (terminal == null) terminal = registry.get(id).orElse(null);
        if (checkpoints != null && terminal != null) {
            try {
                // A completed run needs no resume; a rolled-back one must not have one.
                checkpoints.ended(id, terminal.status() == RunStatus.COMPLETED || control.rollback, runs.ids());
            } catch (RuntimeException e) {
                LOG.warn("run {}: checkpoint retention failed: {}", id, e.getMessage());
            }
        }
        control.terminal.complete(terminal);
        if (terminal != null) job.finished(terminal);
    }

    /** The runs {@link #notStarted} cancelled so far. */
    java.util.Set<String> cancelledAtShutdown() {
        return java.util.Set.copyOf(cancelledAtShutdown);
    }

    /** A job taken as the shutdown began: its run is cancelled before it starts, as a queued run is. */
    private void notStarted(Job job, RunControl control) {
        var request = job.request();
        var id = request.runId();
        if (registry.get(id).isEmpty()) registry.apply(request.submitted());
        var asked = registry.apply(new RunEvent.CancelRequested(id, Instant.now(), dev.tether.run.StopLevel.CANCEL, shutdownOrigin, null));
        if (asked.applied()) cancelledAtShutdown.add(id); // the shutdown's cancel-all may find it ended already: count it here
        runs.remove(id, control);
        control.closeFence();
        var current = registry.get(id).orElse(null);
        control.terminal.complete(current);
        if (current != null && current.isTerminal()) job.finished(current);
        LOG.info("run {} was taken as the engine shut down: cancelled before it started", id);
    }

    /**
     * A second job for a run already executing here (a redelivered stream entry). The live run is
     * left alone: its control stays registered and nothing is started or cancelled. The duplicate is
     * settled with the live run's terminal snapshot once that run ends (at once if it already has),
     * so an at-least-once source acknowledges it then, exactly once.
     */
    private void duplicate(Job job, RunControl live) {
        LOG.info("run {} is already executing here; the duplicate job is settled when it ends", live.runId);
        live.terminal.whenComplete((snapshot, failure) -> {
            var end = snapshot != null ? snapshot : registry.get(live.runId).orElse(null);
            if (end != null && end.isTerminal()) job.finished(end);
        });
    }
}
