package dev.tether.redis;

import dev.tether.engine.WorkerInfo;
import dev.tether.json.Json;
import redis.clients.jedis.UnifiedJedis;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * A worker's heartbeat, on a thread (and a connection) of its own, and the fence that goes with it.
 *
 * <p>Observers declare a worker lost once its heartbeat key has expired ({@link #TTL}). A worker
 * that cannot renew it may be cut off while others carry on, so it must not go on as if nothing
 * happened: {@link #HOLD_AFTER} without a renewed beat, no node of its runs starts (the gate holds
 * them at the node boundary) and it takes no job; {@code fenceTimeout} without one, it stops its runs
 * itself. A beat that gets through again first lets the worker catch up (its runs' state, missed
 * cancels), then opens the gate, so a run that was declared LOST meanwhile is stopped before it could
 * start another node. A short Redis restart or stall therefore holds runs for a moment instead of
 * losing them.
 *
 * <p>The catch-up runs on a thread of its own: the beat thread only beats, so a catch-up that waits
 * on a slow or dead connection never lets the heartbeat key expire (healthy peers would settle this
 * worker). A catch-up that fails is owed until it succeeds, retried with backoff (50 ms doubling to
 * 2 s) while the gate stays shut, never left for the next gap, which may not come. The fence counts
 * from the last beat that got through, not from the last catch-up: held runs wait for a catch-up,
 * they are not lost for want of one. Runs taken while fenced are stopped too (the fence is applied
 * again every second while it lasts).
 */
final class Heartbeat implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Heartbeat.class);
    static final Duration EVERY = Duration.ofMillis(500);
    /** What observers wait for: five missed beats. A SIGKILLed worker is LOST within 3 s (with the 250 ms sweep). */
    static final Duration TTL = Duration.ofMillis(2_500);
    /** No node starts after this long without a renewed beat: well inside the TTL observers use. */
    static final Duration HOLD_AFTER = Duration.ofMillis(1_500);
    private static final long RETRY_MILLIS = 200;
    private static final long CATCH_UP_FIRST_RETRY_MILLIS = 50;
    private static final long CATCH_UP_MAX_RETRY_MILLIS = 2_000;
    static final String CATCHING_UP = "catching up with Redis";

    /** What the worker does when contact is lost and found again. */
    interface Listener {
        /** Contact is back after a gap: bring Redis up to date before runs go on. */
        void caughtUp(boolean wasSettled);

        /** No beat for the fence timeout: stop every run now. {@code refused}: why Redis refused the last beat, null when it did not answer. */
        void fence(Duration silentFor, String refused);
    }

    private final UnifiedJedis redis;
    private final Keys keys;
    private final String name;
    private final Supplier<WorkerInfo> info;
    private final Connectivity connectivity;
    private final Duration fenceTimeout;
    private final Listener listener;
    private final WorkerStalls stalls;
    private final Object gate = new Object();
    private final Thread beater;
    private final Thread catcher;
    private final Thread fenceWatch;
    /** System.nanoTime() before the last beat that Redis accepted (the key's TTL started later than that). */
    private volatile long lastBeatSent;
    private volatile boolean fenced;
    /** Why Redis refused the last beat (full, no replicas, ...), null while beats get through or it does not answer. */
    private volatile String beatRefused;
    private volatile boolean closed;
    /** Guards the catch-up's bookkeeping between the beat thread (which asks) and the catch-up thread. */
    private final Object catchUpLock = new Object();
    /** A gap (or a settlement) was seen and the catch-up after it has not succeeded yet: the gate stays shut. */
    private volatile boolean catchUpOwed;
    private long catchUpOwedSince;
    /** Bumped by every request: a catch-up that began before the latest request does not pay it off. */
    private long catchUpRequests;
    private boolean settledSinceCatchUp;

    Heartbeat(UnifiedJedis redis, Keys keys, String name, Supplier<WorkerInfo> info, Connectivity connectivity,
              Duration fenceTimeout, WorkerStalls stalls, Listener listener) {
        this.redis = redis;
        this.keys = keys;
        this.name = name;
        this.info = info;
        this.connectivity = connectivity;
        this.fenceTimeout = fenceTimeout;
        this.listener = listener;
        this.stalls = stalls;
        this.lastBeatSent = System.nanoTime(); // not "out of contact" before the first beat was even tried
        stalls.condition("contact", this::contactProblem);
        this.beater = Thread.ofPlatform().daemon().name("tether-worker-heartbeat").unstarted(this::beatLoop);
        this.catcher = Thread.ofPlatform().daemon().name("tether-worker-catch-up").unstarted(this::catchUpLoop);
        this.fenceWatch = Thread.ofPlatform().daemon().name("tether-worker-fence").unstarted(this::fenceLoop);
    }

    private String contactProblem() {
        long now = System.nanoTime();
        long silent = now - lastBeatSent;
        var held = ": no node starts and no job is taken";
        if (silent > HOLD_AFTER.toNanos()) {
            var refused = beatRefused;
            return (fenced ? "fenced (runs stopped), " : "") + (refused != null ? "its writes refused by Redis (" + refused + ") for "
                    : "out of contact with Redis for ") + WorkerStalls.seconds(silent) + held;
        }
        if (catchUpOwed) {
            long since;
            synchronized (catchUpLock) {
                since = catchUpOwedSince;
            }
            return "not caught up with Redis for " + WorkerStalls.seconds(now - since) + held;
        }
        return null;
    }

    /** The first beat: announces the worker. Throws if Redis does not take it. */
    void join() {
        long sent = System.nanoTime();
        send("join");
        lastBeatSent = sent;
        beater.start();
        catcher.start();
        fenceWatch.start();
    }

    /** One beat; a connection that broke is replaced at once (twice), not after a pause: a beat must not wait on bad luck. */
    private long send(String mode) {
        for (int attempt = 1; ; attempt++) {
            try {
                return (Long) Script.BEAT.eval(redis, List.of(keys.worker(name), keys.workers()),
                        List.of(Json.write(info.get()), Long.toString(TTL.toMillis()), name, mode));
            } catch (redis.clients.jedis.exceptions.JedisException e) {
                if (!Connectivity.lostContact(e) || attempt == 3) throw e;
            }
        }
    }

    private void beatLoop() {
        while (!closed) {
            long sent = System.nanoTime();
            long listed;
            try {
                listed = send("beat");
                connectivity.roundTrip(System.nanoTime() - sent);
                connectivity.up();
                beatRefused = null;
            } catch (RuntimeException e) {
                beatRefused = connectivity.down(e);
                sleep(RETRY_MILLIS);
                continue;
            }
            boolean gap = sent - lastBeatSent > HOLD_AFTER.toNanos();
            // Asked before the beat counts: the gate must not open between this beat and the catch-up.
            if (gap || listed == 0 || fenced) askCatchUp(listed == 0);
            lastBeatSent = sent;
            synchronized (gate) {
                gate.notifyAll();
            }
            sleep(EVERY.toMillis());
        }
    }

    private void askCatchUp(boolean settled) {
        synchronized (catchUpLock) {
            if (!catchUpOwed) catchUpOwedSince = System.nanoTime();
            catchUpOwed = true;
            catchUpRequests++;
            settledSinceCatchUp |= settled;
            catchUpLock.notifyAll();
        }
    }

    /** Pays the owed catch-ups, one at a time, retrying a failed one with backoff until it succeeds. */
    private void catchUpLoop() {
        int failures = 0;
        while (!closed) {
            long request;
            boolean settled;
            synchronized (catchUpLock) {
                while (!catchUpOwed && !closed) {
                    try {
                        catchUpLock.wait(1_000);
                    } catch (InterruptedException e) {
                        if (closed) return;
                    }
                }
                if (closed) return;
                request = catchUpRequests;
                settled = settledSinceCatchUp;
            }
            try {
                // Before the gate opens: a run LOST meanwhile must be stopped, not resumed.
                listener.caughtUp(settled);
            } catch (RuntimeException e) {
                connectivity.down(e);
                stalls.failed(CATCHING_UP, e);
                failures++;
                if (failures == 1) {
                    LOG.warn("worker '{}': catching up with Redis failed ({}); its runs stay held until it succeeds",
                            name, Text.oneLine(e.getMessage()));
                }
                sleep(Math.min(CATCH_UP_MAX_RETRY_MILLIS, CATCH_UP_FIRST_RETRY_MILLIS << Math.min(failures - 1, 10)));
                continue;
            }
            stalls.worked(CATCHING_UP);
            if (failures > 0) LOG.warn("worker '{}' caught up with Redis after {} failed attempts; its runs go on", name, failures);
            failures = 0;
            synchronized (catchUpLock) {
                if (catchUpRequests != request) continue; // a new gap while catching up: catch up again
                catchUpOwed = false;
                settledSinceCatchUp = false;
            }
            if (fenced) {
                fenced = false;
                LOG.warn("worker '{}' is in contact with Redis again", name);
            }
            synchronized (gate) {
                gate.notifyAll();
            }
        }
    }

    private void fenceLoop() {
        long lastFence = 0;
        while (!closed) {
            long now = System.nanoTime();
            long silent = now - lastBeatSent;
            // Once fenced, again every second while it lasts: a run that reached the engine meanwhile is stopped too.
            if (silent > fenceTimeout.toNanos() && (!fenced || now - lastFence >= 1_000_000_000L)) {
                var d = Duration.ofNanos(silent);
                var refused = beatRefused;
                if (!fenced) {
                    LOG.warn("worker '{}' has not {} for {} ms: stopping its runs (fence)", name,
                            refused != null ? "had a write taken by Redis (" + refused + ")" : "reached Redis", d.toMillis());
                }
                fenced = true;
                lastFence = now;
                try {
                    listener.fence(d, refused);
                } catch (RuntimeException e) {
                    LOG.error("fence failed", e);
                }
            }
            sleep(fenceWait());
        }
    }

    /**
     * How long the fence watch may sleep: until the fence would fall if no beat got through meanwhile
     * (each beat moves that later, so a worker in contact wakes it about once per fence timeout, not ten
     * times a second), at most 100 ms late, and every 100 ms while fenced (as before: a run that reached
     * the engine meanwhile is stopped too).
     */
    private long fenceWait() {
        if (fenced) return 100;
        long dueInNanos = lastBeatSent + fenceTimeout.toNanos() - System.nanoTime();
        return Math.max(100, Math.min(dueInNanos / 1_000_000 + 1, fenceTimeout.toMillis()));
    }

    /** The heartbeat records of the live workers, by name; an unreadable one is skipped (it must not hide the others). */
    static List<WorkerInfo> liveWorkers(UnifiedJedis redis, Keys keys) {
        var out = new java.util.ArrayList<WorkerInfo>();
        var names = List.copyOf(redis.smembers(keys.workers()));
        if (names.isEmpty()) return out;
        // one MGET, not a GET per worker: a command's cost stays two round trips however many workers are listed
        var beats = redis.mget(names.stream().map(keys::worker).toArray(String[]::new));
        for (int i = 0; i < names.size(); i++) {
            var name = names.get(i);
            var json = beats.get(i);
            if (json == null) continue;
            try {
                out.add(Json.read(json, WorkerInfo.class));
            } catch (RuntimeException e) {
                LOG.debug("unreadable heartbeat of worker '{}': {}", Text.oneLine(name), Text.oneLine(e.getMessage()));
            }
        }
        out.sort(java.util.Comparator.comparing(WorkerInfo::name));
        return out;
    }

    /** Whether a beat got through recently enough, and the worker has caught up since any gap, for a node to start. */
    boolean fresh() {
        return !catchUpOwed && System.nanoTime() - lastBeatSent <= HOLD_AFTER.toNanos();
    }

    /**
     * The node gate: returns true at once while beats get through and the worker has caught up; else
     * waits until they do. Returns false, at once, when the run is cancelled meanwhile: the hook may
     * run on a thread a cancel does not interrupt, so the wait watches the run's token itself.
     */
    boolean awaitFresh(dev.tether.api.Cancellation cancellation) throws InterruptedException {
        if (fresh()) return true;
        LOG.info("worker '{}' is out of contact with Redis (or catching up): holding a node until it is back", name);
        synchronized (gate) {
            while (!fresh() && !closed) {
                if (cancellation.isCancelled()) return false;
                gate.wait(100);
            }
        }
        return !cancellation.isCancelled();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        beater.interrupt();
        catcher.interrupt();
        fenceWatch.interrupt();
        synchronized (gate) {
            gate.notifyAll();
        }
        try {
            beater.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
