package dev.tether.engine;

import dev.tether.api.Cancellation;
import dev.tether.api.RunCancelledException;
import dev.tether.run.CancelMode;
import dev.tether.run.StopLevel;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The engine's handle on one run, and the whole cancel path: the stop level asked for, the
 * cancellation token (what nodes see as {@link Cancellation}), the thread executing it, where a
 * stop is forwarded when the run executes elsewhere (a child JVM), the node futures it is waiting
 * for, and the checkpoint fence. It knows nothing of slots or pools: whoever executes the run
 * attaches to it, so it can be tested alone.
 */
final class RunControl implements Cancellation {

    /** Where a stop goes when the run executes outside this JVM (its child process). */
    interface RemoteStop {
        void stop(StopLevel level);
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunControl.class);

    final String runId;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final AtomicBoolean claimed = new AtomicBoolean();
    /** The strongest level asked for so far; null while no stop was asked. */
    private volatile StopLevel level;
    private final CountDownLatch cancelLatch = new CountDownLatch(1);
    private final CompletableFuture<Void> cancelSignal = new CompletableFuture<>();
    private final CopyOnWriteArrayList<Runnable> onCancel = new CopyOnWriteArrayList<>();
    private final Set<CompletableFuture<?>> nodeFutures = ConcurrentHashMap.newKeySet();
    /** Completed once the run is terminal (and, unless STUCK, its thread is free). */
    final CompletableFuture<dev.tether.run.RunSnapshot> terminal = new CompletableFuture<>();

    private final Object fenceLock = new Object();
    private boolean fenceOpen = true;

    private Thread runner;
    private RemoteStop remote;
    /** Set once a run is bound to another process; stays set after it ended there (a late grace must not call it STUCK). */
    private boolean executesRemotely;
    private volatile org.bsc.async.AsyncGenerator.Cancellable<?> generator;
    volatile String currentNode;
    /** A cancel asked for {@link CancelMode#ROLLBACK}: the run's checkpoints go when it has stopped. Never unset. */
    volatile boolean rollback;
    /** When the first stop of any level was asked (System.nanoTime). */
    volatile long cancelNanos;

    // ---- run policy: set when the run starts (before its first node)
    /** Node executions allowed (max-steps); 0: no limit. Read and counted on the thread that starts nodes. */
    private int stepLimit;
    private int nodesStarted;
    private java.util.function.Consumer<dev.tether.run.CancelRequest> selfStop = r -> {};
    /** Whether a max-node-time is watched: only then does a node write its start time. */
    private volatile boolean watchesNodes;
    /** When the node in progress started (System.nanoTime), 0 between nodes; read by the node timer. */
    volatile long nodeStartNanos;
    private final java.util.ArrayList<java.util.concurrent.ScheduledFuture<?>> timers = new java.util.ArrayList<>(2);
    private boolean timersCancelled;

    RunControl(String runId) {
        this.runId = runId;
    }

    /**
     * The run's limits that its own thread enforces: {@code maxSteps} (null: none) at the node boundary,
     * through {@code selfStop} (the engine's cancel, so the stop is on record like any other).
     */
    void limits(Integer maxSteps, java.util.function.Consumer<dev.tether.run.CancelRequest> selfStop) {
        this.stepLimit = maxSteps == null ? 0 : maxSteps;
        this.selfStop = selfStop;
    }

    /**
     * Counts a node about to start; false when it would be one more than max-steps: then the run has
     * been stopped at this boundary (Tether's own stop, recorded as the step limit's) and the node must not start.
     */
    boolean nodeAllowed() {
        if (stepLimit == 0 || ++nodesStarted <= stepLimit) return true;
        selfStop.accept(new dev.tether.run.CancelRequest(StopLevel.AFTER_NODE, dev.tether.run.CancelOrigin.STEP_LIMIT,
                dev.tether.run.CancelMode.INTERRUPT, "max-steps " + stepLimit));
        return false;
    }

    void watchNodes() {
        watchesNodes = true;
    }

    boolean watchesNodes() {
        return watchesNodes;
    }

    /** A policy timer of this run, cancelled when it ends (at once if it already has). */
    void addTimer(java.util.concurrent.ScheduledFuture<?> timer) {
        if (timer == null) return;
        synchronized (timers) {
            timers.removeIf(java.util.concurrent.Future::isDone);
            if (timersCancelled) timer.cancel(false);
            else timers.add(timer);
        }
    }

    void cancelTimers() {
        synchronized (timers) {
            timersCancelled = true;
            for (var t : timers) t.cancel(false);
            timers.clear();
        }
    }

    /**
     * Marks the run as taken by an executor. Only the first caller may execute it: a second job for
     * the same run (a redelivered stream entry) must leave the live one alone.
     */
    boolean claim() {
        return claimed.compareAndSet(false, true);
    }

    // ---- cancellation (engine side) ----

    /** The default stop: boundary, interrupt and token. @return true for the first call only */
    boolean cancel() {
        return stop(StopLevel.CANCEL);
    }

    /**
     * Asks the run to stop at {@code requested}, or escalates an earlier, softer stop to it.
     *
     * @return true when this call raised the level (a repeat or a softer level changes nothing)
     */
    boolean stop(StopLevel requested) {
        RemoteStop forward;
        synchronized (this) {
            var before = level;
            if (before != null && before.compareTo(requested) >= 0) return false;
            level = requested;
            if (before == null) cancelNanos = System.nanoTime();
            forward = remote;
        }
        // Level 1 only closes the boundary (read by stopRequested()); the node in progress is not told.
        if (requested != StopLevel.AFTER_NODE) fireToken();
        if (forward != null) forward.stop(requested);
        return true;
    }

    private void fireToken() {
        if (!cancelled.compareAndSet(false, true)) return;
        // The interrupt first: a node blocked in a sleep, a wait or I/O (the common case) starts waking
        // while the rest is done; every microsecond before it is on the cancel's critical path.
        synchronized (this) {
            if (runner != null) runner.interrupt();
        }
        cancelLatch.countDown();
        cancelSignal.complete(null);
        for (var action : List.copyOf(onCancel)) runQuietly(action);
        onCancel.clear();
        var gen = generator;
        if (gen != null) gen.cancel(true);
    }

    /** Whether the run executes outside this JVM (a stop is forwarded there; it can be killed). */
    synchronized boolean isRemote() {
        return executesRemotely;
    }

    /** Whether any stop was asked: no further node may start. */
    boolean stopRequested() {
        return level != null;
    }

    /** The strongest level asked for, or null. */
    StopLevel level() {
        return level;
    }

    /** Sends every stop, the ones already asked included, to where the run executes; null once it ended there. */
    void forwardTo(RemoteStop target) {
        StopLevel now;
        synchronized (this) {
            remote = target;
            if (target != null) executesRemotely = true;
            now = level;
        }
        if (now != null && target != null) target.stop(now);
    }

    /** Binds the run to the current thread; a cancel from now on interrupts it. */
    synchronized void attach(Thread thread) {
        runner = thread;
        if (cancelled.get()) thread.interrupt();
    }

    /** Unbinds the thread and clears an interrupt meant for this run, so the next run starts clean. */
    void detach() {
        synchronized (this) {
            runner = null;
        }
        Thread.interrupted();
    }

    void generator(org.bsc.async.AsyncGenerator.Cancellable<?> gen) {
        this.generator = gen;
        if (cancelled.get()) gen.cancel(true);
    }

    // ---- node futures ----

    void track(CompletableFuture<?> nodeFuture) {
        if (nodeFuture.isDone()) return;
        nodeFutures.add(nodeFuture);
        nodeFuture.whenComplete((v, t) -> nodeFutures.remove(nodeFuture));
    }

    /** Waits until every node future is done or the deadline passes; true when all are done. */
    boolean awaitNodeFutures(long deadlineNanos) {
        while (true) {
            var pending = nodeFutures.toArray(CompletableFuture<?>[]::new);
            if (pending.length == 0) return true;
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) return false;
            try {
                CompletableFuture.allOf(pending).get(left, TimeUnit.NANOSECONDS);
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                // failed or cancelled node futures are done too
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                // our own cancel may interrupt us while we wait: keep waiting until the deadline
            }
        }
    }

    // ---- checkpoint fence ----

    /** Runs the checkpoint write only while the fence is open; close waits for a write in flight. */
    <T> T whileOpen(java.util.concurrent.Callable<T> write, T dropped) throws Exception {
        synchronized (fenceLock) {
            return fenceOpen ? write.call() : dropped;
        }
    }

    void closeFence() {
        synchronized (fenceLock) {
            fenceOpen = false;
        }
    }

    // ---- Cancellation (node side) ----

    @Override
    public boolean isCancelled() {
        return cancelled.get();
    }

    @Override
    public void throwIfCancelled() {
        if (cancelled.get()) throw new RunCancelledException("run " + runId + " cancelled");
    }

    @Override
    public void sleep(Duration duration) {
        throwIfCancelled();
        try {
            if (cancelLatch.await(duration.toNanos(), TimeUnit.NANOSECONDS)) throwIfCancelled();
        } catch (InterruptedException e) {
            throw interrupted();
        }
    }

    @Override
    public <T> T await(Future<T> future) throws ExecutionException {
        try (var ignored = onCancel(() -> future.cancel(true))) {
            return future.get();
        } catch (java.util.concurrent.CancellationException e) {
            throwIfCancelled();
            throw e;
        } catch (InterruptedException e) {
            throw interruptedWaitingFor(future);
        }
    }

    @Override
    public <T> T await(Future<T> future, Duration timeout) throws ExecutionException, TimeoutException {
        try (var ignored = onCancel(() -> future.cancel(true))) {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.CancellationException e) {
            throwIfCancelled();
            throw e;
        } catch (InterruptedException e) {
            throw interruptedWaitingFor(future);
        }
    }

    /**
     * The cancel interrupts the node's thread before it runs the cancel actions, so the wait may
     * end (and close its registration) before the action that cancels {@code future} ran: cancel it here.
     */
    private RuntimeException interruptedWaitingFor(Future<?> future) {
        if (cancelled.get()) future.cancel(true);
        return interrupted();
    }

    private RuntimeException interrupted() {
        if (cancelled.get()) {
            Thread.interrupted(); // the interrupt was ours: it is answered by this exception
            return new RunCancelledException("run " + runId + " cancelled");
        }
        Thread.currentThread().interrupt();
        return new RunCancelledException("interrupted");
    }

    @Override
    public Registration onCancel(Runnable action) {
        onCancel.add(action);
        if (cancelled.get() && onCancel.remove(action)) runQuietly(action);
        return () -> onCancel.remove(action);
    }

    @Override
    public CompletableFuture<Void> whenCancelled() {
        return cancelSignal.copy();
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("a cancel callback failed", e);
        }
    }

    @Override
    public String toString() {
        return "Cancellation[" + runId + (isCancelled() ? ", cancelled]" : "]");
    }
}
