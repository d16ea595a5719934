package dev.tether.engine;

import dev.tether.engine.process.Child;
import dev.tether.engine.process.ChildMessage;
import dev.tether.engine.process.ChildPool;
import dev.tether.registry.RunRegistry;
import dev.tether.run.ErrorInfo;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.StopLevel;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Executes one run in a warm child JVM: sends it the request, applies the facts the child streams
 * back (node started and finished, the end) to this engine's registry, and forwards stops. A killed
 * child's run is CANCELLED (forced) only once the child and every process it started are confirmed
 * gone; a child that died by itself makes its run FAILED with the reason. Either way the pool gets a
 * fresh child in its place.
 */
final class ProcessRunDriver implements RunDriver {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProcessRunDriver.class);
    /** Confirming a killed tree gone takes milliseconds; this only bounds a machine in trouble. */
    private static final Duration CONFIRM_GONE = Duration.ofSeconds(30);
    private static final Duration TAKE_POLL = Duration.ofMillis(100);

    private final ChildPool pool;
    private final RunRegistry registry;
    private final CheckpointStore checkpoints;
    private final FencedCheckpointSaver saver;

    /** @param checkpoints the engine's store and {@code saver} its fenced front; both null when it keeps none */
    ProcessRunDriver(ChildPool pool, RunRegistry registry, CheckpointStore checkpoints, FencedCheckpointSaver saver) {
        this.pool = pool;
        this.registry = registry;
        this.checkpoints = checkpoints;
        this.saver = saver;
    }

    @Override
    public RunSnapshot drive(RunRequest request, RunControl control) {
        var id = request.runId();
        // The child sends its checkpoints here; this engine's fence and store decide what is kept.
        org.bsc.langgraph4j.checkpoint.Checkpoint start = null;
        // A retry of an attempt that left no checkpoint starts over (as on a thread).
        boolean startOver = request.resumeOf() == null || (request.retry() != null && (checkpoints == null
                || checkpoints.describe(request.resumeOf().runId()).stream().noneMatch(CheckpointInfo::readable)));
        if (!startOver) {
            try {
                if (checkpoints == null) throw new IllegalStateException("this engine keeps no checkpoints: nothing to resume from");
                checkpoints.fork(id, request.resumeOf());
                start = checkpoints.get(org.bsc.langgraph4j.RunnableConfig.builder().threadId(id).build())
                        .orElseThrow(() -> new IllegalStateException("the copied checkpoints of run " + id + " are gone"));
            } catch (RuntimeException e) {
                control.closeFence();
                return end(new RunEvent.Failed(id, ErrorInfo.of(e), Instant.now()));
            }
        }
        Child child = null;
        while (child == null) {
            if (control.stopRequested()) {
                control.closeFence();
                return end(new RunEvent.Cancelled(id, null, Instant.now()));
            }
            try {
                child = pool.take(TAKE_POLL);
            } catch (InterruptedException e) {
                continue;
            }
            if (child == null && pool.isClosed()) {
                control.closeFence();
                return end(new RunEvent.Failed(id, new ErrorInfo("IllegalStateException", "engine shut down before a child JVM was free", ""), Instant.now()));
            }
        }
        final var c = child;
        control.forwardTo(level -> {
            if (level == StopLevel.KILL) c.kill();
            else c.send(ChildMessage.stop(id, level));
        });
        c.send(ChildMessage.run(request.forChild(startOver), start == null ? null : dev.tether.engine.process.WireCheckpoint.of(start)));
        try {
            ChildMessage message;
            while ((message = c.next()) != null) {
                if (ChildMessage.CHECKPOINT.equals(message.op()) && id.equals(message.runId())) {
                    keep(id, message.checkpoint());
                    continue;
                }
                if (!ChildMessage.EVENT.equals(message.op()) || !id.equals(message.runId()) || message.event() == null) continue;
                var event = message.event();
                if (event instanceof RunEvent.NodeStarted n) {
                    control.currentNode = n.node();
                    if (control.watchesNodes()) control.nodeStartNanos = System.nanoTime();
                } else if (event instanceof RunEvent.NodeFinished && control.watchesNodes()) {
                    control.nodeStartNanos = 0;
                }
                if (isEnd(event)) control.closeFence(); // no checkpoint of it is kept once its end is reported
                var result = registry.apply(event);
                if (isEnd(event)) {
                    control.forwardTo(null);
                    pool.giveBack(c);
                    if (result.applied() || result.current() == null || result.current().isTerminal()) {
                        return result.applied() ? result.after() : result.current();
                    }
                    // The child's state machine allowed an end this one does not: never leave the run active.
                    return end(new RunEvent.Failed(id, new ErrorInfo("IllegalStateException", "child reported "
                            + event.getClass().getSimpleName() + " while the run was " + result.current().status(), ""), Instant.now()));
                }
            }
        } catch (IOException e) {
            LOG.debug("child {}: output broken: {}", c.pid(), e.toString());
        }
        control.forwardTo(null);
        control.closeFence();
        return c.wasKilled() ? killed(id, c, control) : died(id, c);
    }

    private void keep(String runId, dev.tether.engine.process.WireCheckpoint wire) {
        if (saver == null || wire == null) return;
        try {
            saver.put(org.bsc.langgraph4j.RunnableConfig.builder().threadId(runId).build(), wire.toCheckpoint());
        } catch (Exception e) {
            LOG.warn("run {}: checkpoint after {} from its child not kept: {}", runId, wire.node(), e.getMessage());
        }
    }

    private RunSnapshot killed(String id, Child c, RunControl control) {
        try {
            c.exited().get(CONFIRM_GONE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            pool.discard(c);
            LOG.error("run {}: child {} or a process it started was still there {} s after the kill", id, c.pid(), CONFIRM_GONE.toSeconds());
            return end(new RunEvent.Failed(id, new ErrorInfo("IllegalStateException",
                    "killed, but its processes could not be confirmed gone", ""), Instant.now()));
        }
        pool.discard(c);
        var result = registry.apply(new RunEvent.Cancelled(id, control.currentNode, Instant.now(), true));
        if (result.applied()) return result.after();
        // Killed without a cancel (the pool closed under it): it did not stop by request, it was ended.
        return end(new RunEvent.Failed(id, new ErrorInfo("IllegalStateException", "its child JVM was destroyed", ""), Instant.now()));
    }

    private RunSnapshot died(String id, Child c) {
        var reason = c.deathReason();
        pool.discard(c);
        LOG.warn("run {}: {}", id, reason);
        return end(new RunEvent.Failed(id, new ErrorInfo("ChildProcessDied", reason, ""), Instant.now()));
    }

    private RunSnapshot end(RunEvent event) {
        var result = registry.apply(event);
        return result.applied() ? result.after() : result.current();
    }

    private static boolean isEnd(RunEvent e) {
        return e instanceof RunEvent.Completed || e instanceof RunEvent.Failed || e instanceof RunEvent.Cancelled;
    }
}
