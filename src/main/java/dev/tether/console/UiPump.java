package dev.tether.console;

import dev.tether.registry.ChangeFeed;
import dev.tether.run.RunSnapshot;
import javafx.animation.AnimationTimer;
import javafx.beans.property.LongProperty;
import javafx.beans.property.SimpleLongProperty;

import java.util.List;
import java.util.function.Consumer;

/**
 * The one bridge from engine threads to the FX thread: at every pulse (every other one under a storm
 * of changes) it drains the coalescing change feed and hands the batch on. Engine threads never call
 * into JavaFX; the FX thread never waits for them. It also drives the clock that runtime cells tick on.
 */
final class UiPump extends AnimationTimer {
    /** How often the runtime clock moves: often enough that h:mm:ss never skips a second visibly. */
    static final long TICK_NANOS = 200_000_000L;
    /**
     * Under a storm (the last batch held more than {@link #STORM_BATCH} changes) changes reach the
     * rows at most this often, about 30 times a second: each applied batch costs a layout pass of
     * every visible row that changed, so applying every other pulse halves that cost and lets the
     * feed coalesce more, for at most 33 ms more delay (the target is 100 ms). A quiet console
     * applies every pulse.
     */
    static final long STORM_APPLY_NANOS = 33_000_000L;
    static final int STORM_BATCH = 256;
    /**
     * Changes applied per pulse at most: a console opened over 100,000 runs gets them as they load, and
     * one pulse that added them all held its first frames back by seconds. The rest wait, in the order
     * they were drained, for the next pulses (about 0.3 s for 100,000 at 60 pulses a second).
     */
    static final int MAX_BATCH = 5_000;

    /** Sees every applied batch (instrumentation: benchmarks measure change-to-screen delay here). */
    interface Probe {
        void applied(List<RunSnapshot> batch, long nanoTime);
    }

    private final ChangeFeed feed;
    /** Drained, not yet applied (FIFO: nothing waits behind later changes for ever). */
    private final java.util.ArrayDeque<RunSnapshot> carried = new java.util.ArrayDeque<>();
    private final Consumer<List<RunSnapshot>> onBatch;
    private final Runnable everyTick;
    private final Runnable everyPulse;
    private final LongProperty clockMillis = new SimpleLongProperty(System.currentTimeMillis());
    private volatile Probe probe;
    private long lastTick;
    private long lastApply = Long.MIN_VALUE / 2;
    private int lastBatch;
    private long lastFailureLog = Long.MIN_VALUE / 2;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UiPump.class);

    UiPump(ChangeFeed feed, Consumer<List<RunSnapshot>> onBatch, Runnable everyPulse, Runnable everyTick) {
        this.feed = feed;
        this.onBatch = onBatch;
        this.everyPulse = everyPulse;
        this.everyTick = everyTick;
    }

    LongProperty clockMillis() {
        return clockMillis;
    }

    void probe(Probe p) {
        probe = p;
    }

    @Override
    public void handle(long now) {
        try {
            if (lastBatch <= STORM_BATCH || now - lastApply >= STORM_APPLY_NANOS) {
                var batch = next();
                lastBatch = batch.size();
                if (!batch.isEmpty()) {
                    lastApply = now;
                    onBatch.accept(batch);
                    var p = probe;
                    if (p != null) p.applied(batch, System.nanoTime());
                }
            }
            everyPulse.run();
            if (now - lastTick >= TICK_NANOS) {
                lastTick = now;
                clockMillis.set(System.currentTimeMillis());
                everyTick.run();
            }
        } catch (RuntimeException e) { // one bad pulse must not stop the window from updating
            if (now - lastFailureLog > 10_000_000_000L) {
                lastFailureLog = now;
                LOG.warn("console update failed; it keeps going", e);
            }
        }
    }

    /** Up to {@link #MAX_BATCH} changes: what was carried over first, then the feed's. */
    private List<RunSnapshot> next() {
        if (carried.isEmpty()) {
            var drained = feed.drain();
            if (drained.size() <= MAX_BATCH) return drained;
            carried.addAll(drained);
        }
        var batch = new java.util.ArrayList<RunSnapshot>(Math.min(MAX_BATCH, carried.size()));
        while (batch.size() < MAX_BATCH && !carried.isEmpty()) batch.add(carried.pollFirst());
        return batch;
    }

    @Override
    public void stop() {
        super.stop();
        feed.close();
    }
}
