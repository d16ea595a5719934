package dev.tether.engine;

import dev.tether.run.CancelMode;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelRequest;
import dev.tether.run.PolicyText;
import dev.tether.run.StopLevel;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The clock of run policies: a run's {@code max-runtime}, its nodes' {@code max-node-time} and a queued
 * run's {@code max-queued}. A breach is a cancel like a person's (the same ladder: cancel, then after
 * the grace a kill in process isolation, STUCK on a thread), asked for by the policy, with the limit as
 * its reason. One timer thread per engine; a run costs one timer while it runs (two with a node
 * limit), none per node: a node only writes its start time, which the node timer reads when it fires.
 */
final class PolicyWatch {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PolicyWatch.class);

    private final ScheduledThreadPoolExecutor timer;
    private final BiConsumer<String, CancelRequest> cancel;

    /** @param cancel the engine's cancel */
    PolicyWatch(String threadName, BiConsumer<String, CancelRequest> cancel) {
        this.cancel = cancel;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            var t = new Thread(r, threadName);
            t.setDaemon(true);
            t.setPriority(Thread.MAX_PRIORITY); // a deadline is late by whatever delays this thread
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** A run was queued: with a max-queued, it is cancelled (never started) once that passes while it still waits. */
    void queued(RunRequest request) {
        var expires = request.expiresAt();
        if (expires == null) return;
        schedule(() -> expire(request), Duration.between(Instant.now(), expires));
    }

    private void expire(RunRequest request) {
        // The state machine takes an EXPIRED cancel only from a run still queued: a started run is left alone.
        cancel.accept(request.runId(), expired(request));
    }

    static CancelRequest expired(RunRequest request) {
        return request.expiry();
    }

    /** A run started: its max-runtime and max-node-time are watched from now until {@link #ended}. */
    void started(RunControl control, RunRequest request) {
        var policy = request.policy();
        if (policy == null) return;
        if (policy.maxRuntime() != null) {
            var reason = "max-runtime " + PolicyText.duration(policy.maxRuntime());
            control.addTimer(schedule(() -> cancel.accept(control.runId,
                    new CancelRequest(StopLevel.CANCEL, CancelOrigin.DEADLINE, CancelMode.INTERRUPT, reason)), policy.maxRuntime()));
        }
        if (policy.maxNodeTime() != null) {
            control.watchNodes();
            watchNode(control, policy.maxNodeTime(), policy.maxNodeTime().toNanos());
        }
    }

    /**
     * Looks at the node in progress when it may have broken its limit: the limit after the node's start
     * (or, between nodes, after now, the soonest a node starting now could break it). One wake-up per
     * limit's length at most, whatever the number of nodes.
     */
    private void watchNode(RunControl control, Duration limit, long delayNanos) {
        control.addTimer(schedule(() -> {
            if (control.terminal.isDone() || control.stopRequested()) return;
            long started = control.nodeStartNanos;
            long now = System.nanoTime();
            if (started != 0 && now - started >= limit.toNanos()) {
                var node = control.currentNode;
                cancel.accept(control.runId, new CancelRequest(StopLevel.CANCEL, CancelOrigin.NODE_DEADLINE, CancelMode.INTERRUPT,
                        "max-node-time " + PolicyText.duration(limit) + (node == null ? "" : " (node " + node + ")")));
                return;
            }
            watchNode(control, limit, started == 0 ? limit.toNanos() : started + limit.toNanos() - now);
        }, Duration.ofNanos(Math.max(0, delayNanos))));
    }

    /** The run ended: its timers go. */
    void ended(RunControl control) {
        control.cancelTimers();
    }

    private ScheduledFuture<?> schedule(Runnable action, Duration delay) {
        try {
            return timer.schedule(() -> {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.warn("a run policy check failed", e);
                }
            }, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            return null;
        }
    }

    /** Runs {@code action} once {@code at} has come (at once if it has). */
    void at(Instant at, Runnable action) {
        schedule(action, Duration.between(Instant.now(), at));
    }

    void shutdown() {
        timer.shutdownNow();
    }
}
