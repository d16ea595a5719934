package dev.tether.console;

import dev.tether.registry.ChangeFeed;
import dev.tether.run.RunSnapshot;
import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.beans.property.LongProperty;
import javafx.beans.property.SimpleLongProperty;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The one bridge from engine threads to the FX thread: at every pulse (every other one under a storm
 * of changes) it drains the coalescing change feed and hands the batch on. Engine threads never call
 * into JavaFX; the FX thread never waits for them. It also drives the clock that runtime cells tick on.
 * <p>
 * While nothing changes it sleeps: its timer is what keeps JavaFX pulsing 60 times a second, and a
 * console left open over idle runs paid for those pulses alone (about 1.3 % of a core). A sleeping
 * pump is woken, with one {@code runLater} per wake-up, by the first change offered to the feed and by
 * its clock, which ticks {@link #TICK_NANOS every 200 ms} on a thread of its own.
 */
final class UiPump {
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
    private final long tickNanos;
    private final AnimationTimer timer = new AnimationTimer() {
        @Override
        public void handle(long now) {
            UiPump.this.handle(now);
        }
    };
    /**
     * Up while the timer is stopped, or about to be. Whoever takes it down (a change, the clock, the
     * pump itself) owns the wake-up, so each sleep ends with exactly one.
     */
    private final AtomicBoolean asleep = new AtomicBoolean();
    /** Set by the clock thread; the next pulse moves the runtime clock. Up at first: the first pulse ticks. */
    private volatile boolean tickDue = true;
    private volatile boolean closed;
    private final AtomicInteger wakeUps = new AtomicInteger();
    private ScheduledExecutorService clock;
    private volatile Probe probe;
    private long lastApply = Long.MIN_VALUE / 2;
    private int lastBatch;
    private long lastFailureLog = Long.MIN_VALUE / 2;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UiPump.class);

    UiPump(ChangeFeed feed, Consumer<List<RunSnapshot>> onBatch, Runnable everyPulse, Runnable everyTick) {
        this(feed, onBatch, everyPulse, everyTick, Duration.ofNanos(TICK_NANOS));
    }

    /** {@code tickEvery}: how often the clock ticks (tests stretch it to see changes wake the pump alone). */
    UiPump(ChangeFeed feed, Consumer<List<RunSnapshot>> onBatch, Runnable everyPulse, Runnable everyTick, Duration tickEvery) {
        this.feed = feed;
        this.onBatch = onBatch;
        this.everyPulse = everyPulse;
        this.everyTick = everyTick;
        this.tickNanos = tickEvery.toNanos();
    }

    /** Starts pulsing, the clock and listening for changes. FX thread. */
    void start() {
        if (closed || clock != null) return;
        feed.onOffer(this::wakeIfAsleep);
        clock = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("tether-console-clock").factory());
        clock.scheduleWithFixedDelay(this::clockTick, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
        timer.start();
    }

    /** How many times the pump was woken (each one {@code runLater}). */
    int wakeUps() {
        return wakeUps.get();
    }

    /** Whether the pump sleeps: no pulses asked for until a change or the clock wakes it. */
    boolean asleep() {
        return asleep.get();
    }

    LongProperty clockMillis() {
        return clockMillis;
    }

    void probe(Probe p) {
        probe = p;
    }

    /** One pulse. FX thread (tests drive it by hand). */
    void handle(long now) {
        try {
            boolean applying = lastBatch <= STORM_BATCH || now - lastApply >= STORM_APPLY_NANOS;
            if (applying) {
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
            if (tickDue) {
                tickDue = false;
                clockMillis.set(System.currentTimeMillis());
                everyTick.run();
            }
            if (applying && lastBatch == 0 && carried.isEmpty()) sleep();
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

    /**
     * Stops the timer unless something came meanwhile. The flag goes up before the feed is looked at
     * again: a change offered before it went up is seen here, one offered after sees it up and wakes
     * the pump (both are volatile accesses, so one of the two always sees the other).
     */
    private void sleep() {
        asleep.set(true);
        if ((!feed.isEmpty() || tickDue) && asleep.compareAndSet(true, false)) return;
        timer.stop(); // if a waker took the flag down meanwhile, its wake-up is queued behind this pulse
    }

    private void clockTick() {
        tickDue = true;
        wakeIfAsleep();
    }

    /** After every offer (on the offering thread) and every tick: cheap unless the pump sleeps. */
    private void wakeIfAsleep() {
        if (!asleep.get() || !asleep.compareAndSet(true, false)) return;
        wakeUps.incrementAndGet();
        try {
            Platform.runLater(() -> {
                if (!closed) timer.start();
            });
        } catch (IllegalStateException e) { // the toolkit has exited: there is nothing left to show
        }
    }

    /** Stops for good: timer, clock thread and feed. FX thread. */
    void stop() {
        closed = true;
        timer.stop();
        if (clock != null) clock.shutdownNow();
        feed.onOffer(null);
        feed.close();
    }
}
