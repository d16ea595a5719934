package dev.tether.engine;

import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Ends the grace of a cancelled run. A run in a child JVM is then killed (level 3: it can be, so it
 * is, and the executor reports it CANCELLED once the processes are gone). A run on a thread of this
 * JVM cannot be forced: it is reported STUCK and its slot is retired and replaced, so capacity
 * survives.
 */
final class StuckWatchdog {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StuckWatchdog.class);

    private final RunRegistry registry;
    private final Duration grace;
    private final Consumer<String> retireSlot;
    private final ScheduledThreadPoolExecutor timer;

    StuckWatchdog(String threadName, RunRegistry registry, Duration grace, Consumer<String> retireSlot) {
        this.registry = registry;
        this.grace = grace;
        this.retireSlot = retireSlot;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            var t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Starts the grace of a run just cancelled (level 2). */
    void watch(RunControl control) {
        try {
            timer.schedule(() -> expire(control), grace.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down: shutdown() reports what did not stop
        }
    }

    private void expire(RunControl control) {
        if (control.terminal.isDone()) return;
        if (control.isRemote()) {
            LOG.warn("run {} ignored its cancel for {} ms (node {}): killing its process", control.runId,
                    grace.toMillis(), control.currentNode);
            control.stop(StopLevel.KILL);
            return;
        }
        control.closeFence();
        var result = registry.apply(new RunEvent.Stuck(control.runId, control.currentNode, Instant.now()));
        if (!result.applied()) return;
        LOG.warn("run {} ignored its cancel for {} ms (node {}): STUCK; its thread cannot be forced in-process"
                + " (run its graph with process isolation to have it killed)", control.runId, grace.toMillis(), control.currentNode);
        retireSlot.accept(control.runId);
        control.terminal.complete(result.after());
    }

    void shutdown() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
