package dev.tether.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The threads that execute runs: each takes jobs from the {@link RunSource} and hands them to the
 * {@link JobExecutor}. A slot's loop ends only on shutdown, when the source is closed, or when its
 * slot is retired (its run is STUCK); an exception from the source or from a run is logged and the
 * loop goes on, so capacity never leaks away silently.
 *
 * <p>A STUCK run keeps its thread (it cannot be taken back), so its slot is replaced, but only while
 * at most {@code maxStuck} threads of STUCK runs live: past that, a newly STUCK run's slot is not
 * replaced and the engine has less capacity (none, at worst), until a STUCK thread ends by itself
 * and its slot comes back. Threads are bounded by the slots plus {@code maxStuck}.
 */
final class SlotPool {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SlotPool.class);
    private static final Duration POLL = Duration.ofMillis(250);
    /** After a failing poll: long enough not to spin on a broken source, short enough to recover at once. */
    static final Duration POLL_BACKOFF = Duration.ofMillis(100);

    /** One executing thread. A retired slot belongs to a STUCK run and exits when (if) that run ends. */
    static final class Slot {
        final Thread thread;
        volatile boolean retired;
        /** Retired and another slot started in its place. */
        volatile boolean replaced;
        volatile String runId;

        private Slot(Thread thread) {
            this.thread = thread;
        }

        void occupy(String runId) {
            this.runId = runId;
        }

        void free() {
            this.runId = null;
        }
    }

    private final String threadPrefix;
    private final RunSource source;
    private final JobExecutor executor;
    private final BooleanSupplier shuttingDown;
    private final int maxStuck;
    private final CopyOnWriteArrayList<Slot> slots = new CopyOnWriteArrayList<>();
    private final AtomicInteger numbers = new AtomicInteger();

    /** @param maxStuck how many threads of STUCK runs may live before their slots stop being replaced */
    SlotPool(String threadPrefix, RunSource source, JobExecutor executor, BooleanSupplier shuttingDown, int maxStuck) {
        this.threadPrefix = threadPrefix;
        this.source = source;
        this.executor = executor;
        this.shuttingDown = shuttingDown;
        this.maxStuck = maxStuck;
    }

    void start(int size) {
        for (int i = 0; i < size; i++) startSlot();
    }

    private void startSlot() {
        var holder = new Slot[1];
        var thread = new Thread(() -> loop(holder[0]), threadPrefix + "run-" + numbers.incrementAndGet());
        thread.setDaemon(true); // a STUCK run must never keep the process alive
        holder[0] = new Slot(thread);
        slots.add(holder[0]);
        thread.start();
    }

    private void loop(Slot slot) {
        try {
            while (!slot.retired && !shuttingDown.getAsBoolean()) {
                Job job;
                try {
                    job = source.poll(POLL);
                } catch (InterruptedException e) {
                    continue; // the loop condition decides
                } catch (Throwable t) { // a broken source (Redis away, a bug) must not cost a slot
                    if (shuttingDown.getAsBoolean()) break;
                    LOG.warn("slot {}: taking a job failed; retrying in {} ms", slot.thread.getName(), POLL_BACKOFF.toMillis(), t);
                    pause();
                    continue;
                }
                if (job == null) {
                    if (source.isClosed()) break;
                    continue;
                }
                try {
                    executor.execute(job, slot);
                } catch (Throwable t) {
                    LOG.error("slot {}: executing a job failed", slot.thread.getName(), t);
                } finally {
                    slot.free();
                    Thread.interrupted(); // an interrupt meant for that run must not reach the next poll
                }
            }
        } finally {
            synchronized (this) {
                slots.remove(slot);
                // Only the loop's own exits above end a slot; anything else would shrink capacity. A STUCK
                // run that ended after all gives back the slot that was not replaced for it.
                if ((!slot.retired || !slot.replaced) && !shuttingDown.getAsBoolean() && !source.isClosed()) startSlot();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_BACKOFF);
        } catch (InterruptedException e) {
            // shutdown interrupts: the loop condition decides
        }
    }

    /**
     * Retires the slot executing {@code runId} (STUCK) and starts a fresh one in its place, unless
     * {@code maxStuck} STUCK threads live already.
     *
     * @return false when it was not replaced (the cap): the engine has one slot less
     */
    synchronized boolean retire(String runId) {
        for (var slot : slots) {
            if (runId.equals(slot.runId) && !slot.retired) {
                slot.retired = true;
                if (stuck() > maxStuck) return false;
                slot.replaced = true;
                if (!shuttingDown.getAsBoolean()) startSlot();
                return true;
            }
        }
        return true;
    }

    // Counts and retire() hold the same lock: a retirement and its replacement are seen together.

    /** Slots that can take work: alive and not held by a STUCK run. */
    synchronized int live() {
        int n = 0;
        // A slot is listed just before its thread starts: count it from then on, not only once it runs.
        for (var slot : slots) if (!slot.retired && (slot.thread.isAlive() || slot.thread.getState() == Thread.State.NEW)) n++;
        return n;
    }

    synchronized int busy() {
        int n = 0;
        for (var slot : slots) if (!slot.retired && slot.runId != null) n++;
        return n;
    }

    synchronized int stuck() {
        int n = 0;
        for (var slot : slots) if (slot.retired) n++;
        return n;
    }

    /**
     * Waits for the slot threads until the deadline. A slot retired before (a STUCK run's) is not
     * waited for: it was given up already and must not hold a shutdown.
     */
    void join(long deadlineNanos) {
        for (var slot : slots) {
            // a slot started in the same moment (a STUCK run's replacement) may not be running yet:
            // joining it would throw; it sees the shutdown as it starts and ends at once
            if (slot.retired || slot.thread.getState() == Thread.State.NEW) continue;
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) break;
            try {
                slot.thread.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /** What is still running (run id or thread name), each interrupted a last time. */
    List<String> notStopped() {
        var notStopped = new ArrayList<String>();
        for (var slot : slots) {
            if (slot.thread.isAlive()) {
                var run = slot.runId;
                notStopped.add(run != null ? run : slot.thread.getName());
                slot.thread.interrupt(); // last word; daemon threads cannot keep the JVM alive
            }
        }
        return notStopped;
    }
}
