package dev.tether.engine;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.process.Child;
import dev.tether.engine.process.ChildMessage;
import dev.tether.engine.process.ChildPool;
import dev.tether.engine.process.ChildRunProtocol;
import dev.tether.engine.process.ProtocolBreach;
import dev.tether.engine.process.WireCheckpoint;
import dev.tether.logging.SafeText;
import dev.tether.registry.RunRegistry;
import dev.tether.run.ErrorInfo;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.StopLevel;
import org.bsc.langgraph4j.RunnableConfig;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Executes one run in a warm child JVM: sends it the request, applies the facts the child sends back
 * (node started and finished, the end) to this engine's registry once {@link ChildRunProtocol} has
 * checked them, keeps its checkpoints (still encoded), and forwards stops. A killed child's run is
 * CANCELLED (forced) only once the child and every process it started are confirmed gone; a child
 * that died by itself makes its run FAILED with the reason, and so does one that broke the protocol
 * (it is killed). A child goes back to the pool only once it said it is idle, after its run's end and
 * after clearing whatever that run started; otherwise a fresh child takes its place.
 */
final class ProcessRunDriver implements RunDriver {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProcessRunDriver.class);
    /** Confirming a killed tree gone takes milliseconds; this only bounds a machine in trouble. */
    private static final Duration CONFIRM_GONE = Duration.ofSeconds(30);
    private static final Duration TAKE_POLL = Duration.ofMillis(100);
    /** A child clears its run's processes within about a second, then says it is idle. */
    static final Duration SETTLE = Duration.ofSeconds(10);

    private final ChildPool pool;
    private final RunRegistry registry;
    private final CheckpointStore checkpoints;
    private final FencedCheckpointSaver saver;
    private final GraphCatalog catalog;
    /** Called once a child is taken, before the run is sent to it: the tests' way to land a cancel right there. */
    volatile java.util.function.Consumer<String> afterChildTaken = runId -> {};

    /** @param checkpoints the engine's store and {@code saver} its fenced front; both null when it keeps none */
    ProcessRunDriver(ChildPool pool, RunRegistry registry, CheckpointStore checkpoints, FencedCheckpointSaver saver,
                     GraphCatalog catalog) {
        this.pool = pool;
        this.registry = registry;
        this.checkpoints = checkpoints;
        this.saver = saver;
        this.catalog = catalog;
    }

    @Override
    public RunSnapshot drive(RunRequest request, RunControl control) {
        var id = request.runId();
        var classes = catalog.find(request.graphId()).map(StateClasses::of).orElse(StateClasses.JDK);
        // A resume starts from a copy of the earlier attempt's checkpoints; the child gets the starting
        // one as it is stored and is the only one to decode it.
        EncodedCheckpoint start = null;
        // A retry of an attempt that left no checkpoint starts over (as on a thread).
        boolean startOver = request.resumeOf() == null || (request.retry() != null && (checkpoints == null
                || checkpoints.describe(request.resumeOf().runId()).stream().noneMatch(CheckpointInfo::readable)));
        if (!startOver) {
            try {
                if (checkpoints == null) throw new IllegalStateException("this engine keeps no checkpoints: nothing to resume from");
                checkpoints.fork(id, request.resumeOf());
                start = checkpoints.getEncoded(RunnableConfig.builder().threadId(id).build())
                        .orElseThrow(() -> new IllegalStateException("the copied checkpoints of run " + id + " are gone"));
            } catch (Exception e) {
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
        afterChildTaken.accept(id);
        // The run first, then its stops: the child drops a stop for a run it has not been given, so a
        // cancel that came while a child was being taken (forwardTo replays it) must follow the run.
        c.send(ChildMessage.run(request.forChild(startOver), start == null ? null : WireCheckpoint.of(start)));
        control.forwardTo(level -> {
            if (level == StopLevel.KILL) c.kill();
            else c.send(ChildMessage.stop(id, level));
        });
        var protocol = new ChildRunProtocol(id, Instant.now());
        try {
            ChildMessage message;
            while ((message = c.next()) != null) {
                switch (protocol.accept(message)) {
                    case ChildRunProtocol.Checkpoint cp -> keep(id, cp.checkpoint(), classes);
                    case ChildRunProtocol.Event e -> {
                        var event = e.event();
                        if (event instanceof RunEvent.NodeStarted n) {
                            control.currentNode = n.node();
                            if (control.watchesNodes()) control.nodeStartNanos = System.nanoTime();
                        } else if (event instanceof RunEvent.NodeFinished && control.watchesNodes()) {
                            control.nodeStartNanos = 0;
                        }
                        if (!protocol.ended()) {
                            registry.apply(event);
                            continue;
                        }
                        control.closeFence(); // no checkpoint of it is kept once its end is reported
                        var result = registry.apply(event);
                        control.forwardTo(null);
                        if (result.applied() || result.current() == null || result.current().isTerminal()) {
                            settle(c, protocol);
                            return result.applied() ? result.after() : result.current();
                        }
                        // The child's state machine allowed an end this one does not: never leave the run active.
                        pool.discard(c);
                        return end(new RunEvent.Failed(id, new ErrorInfo("IllegalStateException", "child reported "
                                + event.getClass().getSimpleName() + " while the run was " + result.current().status(), ""), Instant.now()));
                    }
                    case ChildRunProtocol.Idle i -> throw new ProtocolBreach("idle before its run ended");
                    case ChildRunProtocol.Retire r -> throw new ProtocolBreach("retire before its run ended");
                }
            }
        } catch (ProtocolBreach breach) {
            if (!c.wasKilled()) return broke(id, c, control, breach);
            LOG.debug("child {}: its last words before the kill were garbled: {}", c.pid(), breach.getMessage());
        }
        control.forwardTo(null);
        control.closeFence();
        return c.wasKilled() ? killed(id, c, control) : died(id, c);
    }

    /**
     * After its run's end: the child goes back to the pool once it says it is idle (what the run
     * started is gone); a child that retires, breaks the protocol, dies or says nothing in time is
     * replaced. Waited for off the run's path: the run has ended, its slot is free.
     */
    private void settle(Child c, ChildRunProtocol protocol) {
        Thread.ofVirtual().name("tether-settle-" + c.pid()).start(() -> awaitIdle(c, protocol));
    }

    private void awaitIdle(Child c, ChildRunProtocol protocol) {
        Object said;
        try {
            var m = c.next(SETTLE);
            said = m == null ? "its channel closed" : protocol.accept(m);
        } catch (ProtocolBreach e) {
            said = "it broke the protocol: " + e.getMessage();
        } catch (java.util.concurrent.TimeoutException e) {
            said = "it did not say it was idle within " + SETTLE.toSeconds() + " s";
        }
        switch (said) {
            case ChildRunProtocol.Idle i -> pool.giveBack(c);
            case ChildRunProtocol.Retire r -> {
                LOG.info("child {} is replaced after its run: {}", c.pid(), r.why());
                pool.discard(c);
            }
            default -> {
                LOG.warn("child {} is replaced after its run: {}", c.pid(), said);
                pool.discard(c);
            }
        }
    }

    /** A child's checkpoint is kept as it came (after its checksum); only a store of objects has to decode it. */
    private void keep(String runId, EncodedCheckpoint checkpoint, StateClasses classes) {
        if (saver == null) return;
        try {
            CheckpointCodec.decodingFor(classes, () -> saver.putEncoded(RunnableConfig.builder().threadId(runId).build(), checkpoint));
        } catch (Exception e) {
            LOG.warn("run {}: checkpoint after {} from its child not kept: {}", runId, checkpoint.node(), SafeText.line(e.getMessage(), 300));
        }
    }

    private RunSnapshot broke(String id, Child c, RunControl control, ProtocolBreach breach) {
        LOG.warn("run {}: child {} broke the protocol: {}", id, c.pid(), breach.getMessage());
        control.forwardTo(null);
        control.closeFence();
        try {
            c.kill().get(CONFIRM_GONE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.error("run {}: child {} or a process it started was still there {} s after the kill", id, c.pid(), CONFIRM_GONE.toSeconds());
        }
        pool.discard(c);
        return end(new RunEvent.Failed(id, new ErrorInfo("ChildProtocolBreach",
                "child JVM " + c.pid() + " broke the protocol: " + breach.getMessage(), ""), Instant.now()));
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
        // What its nodes started goes with it (its process group; a subreaper's orphans went up to init)
        c.kill();
        pool.discard(c);
        LOG.warn("run {}: {}", id, reason);
        return end(new RunEvent.Failed(id, new ErrorInfo("ChildProcessDied", reason, ""), Instant.now()));
    }

    private RunSnapshot end(RunEvent event) {
        var result = registry.apply(event);
        return result.applied() ? result.after() : result.current();
    }
}
