package dev.tether.registry;

import dev.tether.run.RunSnapshot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A pull-based, coalescing view of registry changes: it keeps only the newest snapshot of each run
 * that changed since the last {@link #drain()}. Offering never blocks and memory is bounded by the
 * number of runs, so a slow reader (a UI pulse, an HTTP stream) cannot slow the engine; it simply
 * sees fewer, fresher snapshots.
 * <p>
 * A change is offered under its run's lock, a moment before {@link RunRegistry#get} shows it: a reader
 * waiting for a run to reach a state reads it from what it drains, not from the registry after a wake-up
 * (that wake-up may be the only one it gets).
 * <p>
 * A patient feed wakes its reader at once only for the changes its {@code atOnce} test names; the
 * others wait, gathered, until {@code patience} has passed since the reader first saw one of them. A
 * worker's runs change several times each (claimed, each node, ended) and few of those changes need
 * anything done at once: woken for each, its reader cost every run about five thread switches.
 */
public final class ChangeFeed implements AutoCloseable {
    private static final long NONE = Long.MIN_VALUE;

    private final ConcurrentHashMap<String, RunSnapshot> pending = new ConcurrentHashMap<>();
    private final Runnable onClose;
    /** Null: every change wakes the reader at once. */
    private final Predicate<RunSnapshot> atOnce;
    private final long patienceNanos;
    private volatile Thread waiter;
    private volatile Runnable onOffer;
    private volatile boolean closed;
    /** A change that wakes the reader at once is pending (set after it is put, cleared before a drain takes). */
    private volatile boolean due;
    /** The reader is parked until its patience runs out: changes that may wait need not wake it. */
    private volatile boolean timing;
    /** When the reader first saw a change that may wait, since its last drain; the reader's own. */
    private long waitingSince = NONE;

    ChangeFeed(Runnable onClose) {
        this(onClose, Duration.ZERO, null);
    }

    ChangeFeed(Runnable onClose, Duration patience, Predicate<RunSnapshot> atOnce) {
        this.onClose = onClose;
        this.atOnce = atOnce;
        this.patienceNanos = patience.toNanos();
    }

    /** Called by the registry while it holds the run's lock, so offers of one run arrive in order. */
    void offer(RunSnapshot snapshot) {
        if (closed) return;
        pending.put(snapshot.runId(), snapshot);
        if (atOnce == null || atOnce.test(snapshot)) {
            due = true;
            wake();
        } else if (!timing) {
            wake(); // the reader starts its patience; read after the put, as the reader sets it before it looks (see await)
        }
        var hook = onOffer;
        if (hook != null) hook.run();
    }

    /**
     * Runs {@code hook} after every offer, on the offering thread and under the run's lock: for a reader
     * that sleeps on its own terms (the console stops its pulse) and must hear the first change after.
     * The hook must be cheap and never block; it sees the change already pending.
     */
    public void onOffer(Runnable hook) {
        onOffer = hook;
    }

    /** Whether no change is pending; a change offered before this call is seen. */
    public boolean isEmpty() {
        return pending.isEmpty();
    }

    private void wake() {
        var w = waiter;
        if (w != null) LockSupport.unpark(w);
    }

    /** Takes every pending change, newest snapshot per run. */
    public List<RunSnapshot> drain() {
        // cleared before taking: a change put after this sets its flag again, one put before is taken below
        due = false;
        waitingSince = NONE;
        if (pending.isEmpty()) return List.of();
        var out = new ArrayList<RunSnapshot>(pending.size());
        for (var id : pending.keySet()) {
            var s = pending.remove(id);
            if (s != null) out.add(s);
        }
        return out;
    }

    /**
     * Waits until a change is pending (for a patient feed: one it names, or any once its patience has
     * run out), the timeout passes or the feed closes; one waiter at a time.
     *
     * @return whether changes are pending
     */
    public boolean await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        waiter = Thread.currentThread();
        try {
            while (!closed) {
                long now = System.nanoTime();
                long left = deadline - now;
                if (pending.isEmpty()) {
                    timing = false; // before looking again: an offer that missed this look sees it and wakes us
                    if (!pending.isEmpty()) continue;
                } else {
                    if (atOnce == null || due) return true;
                    if (waitingSince == NONE) waitingSince = now;
                    long patience = waitingSince + patienceNanos - now;
                    if (patience <= 0) return true;
                    timing = true;
                    left = Math.min(left, patience);
                }
                if (deadline - now <= 0) return !pending.isEmpty();
                // offer() and close() unpark the waiter published above, so a whole wait is one park: an
                // idle reader costs nothing (a loop of short parks cost an idle worker 0.4 % of a core)
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) throw new InterruptedException();
            }
            return false;
        } finally {
            waiter = null;
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        pending.clear();
        var w = waiter;
        if (w != null) LockSupport.unpark(w);
        onClose.run();
    }
}
