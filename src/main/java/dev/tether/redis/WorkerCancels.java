package dev.tether.redis;

import dev.tether.engine.LocalEngine;
import dev.tether.run.RunSnapshot;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A worker's side of cancels: the subscription to published cancels (which catches up on the
 * records each time it is subscribed again), the records checked again on every maintenance tick
 * and after every catch-up, and a cancel that arrives before its run reached the engine.
 */
final class WorkerCancels implements AutoCloseable {
    private static final long EARLY_KEPT_NANOS = 60_000_000_000L;

    private record Early(CancelRequests.Ask ask, long atNanos) {}

    private final LocalEngine engine;
    private final CancelRequests cancels;
    private final Subscriber listener;
    /** Cancels that arrived before their run reached the engine; dropped after a minute. */
    private final ConcurrentHashMap<String, Early> early = new ConcurrentHashMap<>();
    private final AtomicLong outOfSyncSince = new AtomicLong();

    WorkerCancels(RedisSettings settings, String clientName, CancelRequests cancels, LocalEngine engine, Connectivity connectivity) {
        this.engine = engine;
        this.cancels = cancels;
        this.listener = cancels.listen(settings, clientName, connectivity, this::cancelIfHere, this::activeIds);
    }

    /**
     * A cancel for one of our runs. It can arrive before the engine has taken the run over from the
     * claim (observers see it RUNNING from the claim on): then it waits for the run's first local
     * change ({@link #seen}), instead of for the next check of the records.
     */
    private void cancelIfHere(String runId, CancelRequests.Ask ask) {
        if (engine.registry().get(runId).isEmpty()) {
            early.put(runId, new Early(ask, System.nanoTime()));
            // read after any change being made to the run now: either this read sees the run, or that change
            // saw the early cancel (awaits) and wakes the worker's feed at once
            if (engine.registry().getAfterChange(runId).isEmpty() || early.remove(runId) == null) return; // the run's first change takes it
        }
        if (engine.registry().get(runId).map(r -> r.status().isActive()).orElse(false)) engine.cancel(runId, request(runId, ask));
    }

    /**
     * The engine's request: a rollback when the request says so, or, when an older client did not say, when the
     * run's rollback record is there (a view sets it before it publishes the cancel). The engine then drops the
     * run's queued checkpoints itself: the record alone is lost with Redis' data, and the run's end would write
     * them into the Redis that came back. Said or not, a worker that keeps no checkpoints has none to roll back.
     */
    private dev.tether.run.CancelRequest request(String runId, CancelRequests.Ask ask) {
        var asked = ask.request();
        if (!engine.keepsCheckpoints()) return asked.withMode(dev.tether.run.CancelMode.INTERRUPT);
        if (ask.mode() == null && cancels.rollbackRecorded(runId)) return asked.withMode(dev.tether.run.CancelMode.ROLLBACK);
        return asked;
    }

    /** Whether a cancel waits for this run's change (the worker's feed then delivers it at once); under the run's lock, so quick. */
    boolean awaits(RunSnapshot s) {
        return !early.isEmpty() && early.containsKey(s.runId());
    }

    /** Local changes of runs: a run's first one takes the cancel that came before it. */
    void seen(List<RunSnapshot> batch) {
        if (early.isEmpty()) return;
        for (var s : batch) {
            var waiting = early.remove(s.runId());
            if (waiting != null && s.status().isActive()) engine.cancel(s.runId(), request(s.runId(), waiting.ask()));
        }
    }

    /** The cancel records of our active runs (those recorded while the subscription was down); early cancels a minute old go. */
    void checkRecords() {
        cancels.requestedAmong(activeIds()).forEach(this::cancelIfHere);
        long minuteAgo = System.nanoTime() - EARLY_KEPT_NANOS;
        early.values().removeIf(e -> e.atNanos() < minuteAgo); // runs that never came here
    }

    /** What keeps cancels from arriving at once, for the worker's stall report; null when nothing does. */
    String stall() {
        if (listener.inSync()) {
            outOfSyncSince.set(0);
            return null;
        }
        outOfSyncSince.compareAndSet(0, System.nanoTime());
        long behind = System.nanoTime() - outOfSyncSince.get();
        return behind < WorkerStalls.AFTER.toNanos() ? null : "cancel subscription not in sync for " + WorkerStalls.seconds(behind)
                + " (records are still checked every 250 ms)";
    }

    private List<String> activeIds() {
        return engine.registry().activeIds();
    }

    @Override
    public void close() {
        listener.close();
    }
}
