package dev.tether.engine;

import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.StopLevel;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Ends the grace of a cancelled run. A run in a child JVM is then killed (level 3: it can be, so it
 * is, and the executor reports it CANCELLED once the processes are gone). A run on a thread of this
 * JVM cannot be forced: it is reported STUCK and its slot is retired and replaced, so capacity
 * survives.
 */
final class StuckWatchdog {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StuckWatchdog.class);

    /**
     * The longest the thread sleeps: with nothing pending it wakes this often, and a run's grace that
     * is at least this long is then seen in time without anyone waking it. A cancel only adds to a
     * queue: waking a timer thread on every cancel would compete for the CPU with the very thread that
     * is stopping (on a small machine that was most of a cancel's tail latency), and ticking often
     * costs an idle process CPU for nothing. Only a grace shorter than the sleep left wakes it.
     */
    static final Duration LONGEST_SLEEP = Duration.ofSeconds(1);

    private record Pending(RunControl control, Duration grace, long deadlineNanos) {}

    private final RunRegistry registry;
    private final java.util.function.Predicate<String> retireSlot;
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean stopped;
    /** When the thread wakes next (System.nanoTime()), as it planned before going to sleep. */
    private volatile long wakeAtNanos = System.nanoTime();

    /** @param retireSlot retires a STUCK run's slot; false when it could not be replaced */
    StuckWatchdog(String threadName, RunRegistry registry, java.util.function.Predicate<String> retireSlot) {
        this.registry = registry;
        this.retireSlot = retireSlot;
        this.thread = Thread.ofPlatform().daemon().name(threadName).start(this::loop);
    }

    /** Starts the grace of a run just cancelled (level 2). */
    void watch(RunControl control, Duration grace) {
        if (stopped) return;
        long deadline = System.nanoTime() + grace.toNanos();
        pending.add(new Pending(control, grace, deadline));
        if (deadline - wakeAtNanos < 0) LockSupport.unpark(thread); // it would wake too late for this one
    }

    private void loop() {
        while (!stopped) {
            long now = System.nanoTime();
            long next = now + LONGEST_SLEEP.toNanos();
            // Published before the scan: a watch() due before the longest sleep, added while the scan runs,
            // unparks, so the park below returns at once and the next scan sees it.
            wakeAtNanos = next;
            for (var it = pending.iterator(); it.hasNext(); ) {
                var p = it.next();
                if (p.control().terminal.isDone()) {
                    it.remove();
                } else if (now - p.deadlineNanos() >= 0) {
                    it.remove();
                    try {
                        expire(p.control(), p.grace());
                    } catch (RuntimeException e) {
                        LOG.error("grace check of run {} failed", p.control().runId, e);
                    }
                } else if (p.deadlineNanos() - next < 0) {
                    next = p.deadlineNanos();
                }
            }
            wakeAtNanos = next; // from now on a watch() due before `next` unparks
            LockSupport.parkNanos(this, next - System.nanoTime());
            if (Thread.interrupted() && stopped) return;
        }
    }

    private void expire(RunControl control, Duration grace) {
        if (control.terminal.isDone()) return;
        if (control.isRemote()) {
            LOG.warn("run {} ignored its cancel for {} ms (node {}): killing its process", control.runId,
                    grace.toMillis(), control.currentNode);
            control.stop(StopLevel.KILL);
            return;
        }
        control.closeFence();
        // The slot is given up before anyone can see the run STUCK: a shutdown that starts the moment
        // it is published (while this thread is descheduled, or logging) must find the slot retired
        // already, or it would wait for a thread that may never end. Should the run end in this same
        // moment (the event below is then refused), its retired slot just exits after it and the fresh
        // slot that replaced it keeps the capacity.
        boolean replaced = retireSlot.test(control.runId);
        var result = registry.apply(new RunEvent.Stuck(control.runId, control.currentNode, Instant.now()));
        if (!result.applied()) return;
        LOG.warn("run {} ignored its cancel for {} ms (node {}): STUCK; its thread cannot be forced in-process"
                + " (run its graph with process isolation to have it killed)", control.runId, grace.toMillis(), control.currentNode);
        if (!replaced) {
            LOG.error("run {} is STUCK and as many STUCK runs hold threads as the engine has slots: its slot is not replaced,"
                    + " the engine takes fewer runs at once until a STUCK run ends", control.runId);
        }
        control.terminal.complete(result.after());
    }

    /**
     * At the end of a shutdown: a run still on its thread, cancelled and not stopped within the
     * shutdown's timeout, is STUCK now, whatever its grace (a run in a child JVM was killed already).
     */
    void giveUp(RunControl control, Duration waited) {
        if (control.terminal.isDone() || control.isRemote() || !control.stopRequested()) return;
        control.closeFence();
        retireSlot.test(control.runId); // before STUCK is published, as in expire
        var result = registry.apply(new RunEvent.Stuck(control.runId, control.currentNode, Instant.now()));
        if (!result.applied()) return;
        LOG.warn("run {} did not stop within the shutdown's {} ms (node {}): STUCK", control.runId, waited.toMillis(), control.currentNode);
        control.terminal.complete(result.after());
    }

    void shutdown() {
        stopped = true;
        pending.clear();
        thread.interrupt();
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
