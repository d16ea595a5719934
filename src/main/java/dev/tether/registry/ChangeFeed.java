package dev.tether.registry;

import dev.tether.run.RunSnapshot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * A pull-based, coalescing view of registry changes: it keeps only the newest snapshot of each run
 * that changed since the last {@link #drain()}. Offering never blocks and memory is bounded by the
 * number of runs, so a slow reader (a UI pulse, an HTTP stream) cannot slow the engine; it simply
 * sees fewer, fresher snapshots.
 * <p>
 * A change is offered under its run's lock, a moment before {@link RunRegistry#get} shows it: a reader
 * waiting for a run to reach a state reads it from what it drains, not from the registry after a wake-up
 * (that wake-up may be the only one it gets).
 */
public final class ChangeFeed implements AutoCloseable {
    private final ConcurrentHashMap<String, RunSnapshot> pending = new ConcurrentHashMap<>();
    private final Runnable onClose;
    private volatile Thread waiter;
    private volatile Runnable onOffer;
    private volatile boolean closed;

    ChangeFeed(Runnable onClose) {
        this.onClose = onClose;
    }

    /** Called by the registry while it holds the run's lock, so offers of one run arrive in order. */
    void offer(RunSnapshot snapshot) {
        if (closed) return;
        pending.put(snapshot.runId(), snapshot);
        var w = waiter;
        if (w != null) LockSupport.unpark(w);
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

    /** Takes every pending change, newest snapshot per run. */
    public List<RunSnapshot> drain() {
        if (pending.isEmpty()) return List.of();
        var out = new ArrayList<RunSnapshot>(pending.size());
        for (var id : pending.keySet()) {
            var s = pending.remove(id);
            if (s != null) out.add(s);
        }
        return out;
    }

    /** Waits until a change is pending, the timeout passes or the feed closes; one waiter at a time. */
    public boolean await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        waiter = Thread.currentThread();
        try {
            while (pending.isEmpty() && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                // offer() and close() unpark the waiter published above, so a whole wait is one park: an
                // idle reader costs nothing (a loop of short parks cost an idle worker 0.4 % of a core)
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) throw new InterruptedException();
            }
            return !pending.isEmpty();
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
