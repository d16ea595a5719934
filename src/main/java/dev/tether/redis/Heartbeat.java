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
 * them at the node boundary); {@code fenceTimeout} without one, it stops its runs itself. A beat that
 * gets through again first lets the worker catch up (its runs' state, missed cancels), then opens
 * the gate, so a run that was declared LOST meanwhile is stopped before it could start another node.
 * A short Redis restart or stall therefore holds runs for a moment instead of losing them.
 *
 * <p>A catch-up that fails (the beat got through, a read on another connection did not) is owed
 * until it succeeds: it is retried on the following beats with backoff (200 ms doubling to 2 s)
 * while the gate stays shut, never left for the next gap, which may not come. Runs taken while
 * fenced are stopped too (the fence is applied again every second while it lasts).
 */
final class Heartbeat implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Heartbeat.class);
    static final Duration EVERY = Duration.ofMillis(500);
    /** What observers wait for: five missed beats. A SIGKILLed worker is LOST within 3 s (with the 250 ms sweep). */
    static final Duration TTL = Duration.ofMillis(2_500);
    /** No node starts after this long without a renewed beat: well inside the TTL observers use. */
    static final Duration HOLD_AFTER = Duration.ofMillis(1_500);
    private static final long RETRY_MILLIS = 200;
    private static final long CATCH_UP_MAX_RETRY_MILLIS = 2_000;
    static final String CATCHING_UP = "catching up with Redis";

    /** What the worker does when contact is lost and found again. */
    interface Listener {
        /** Contact is back after a gap: bring Redis up to date before runs go on. */
        void caughtUp(boolean wasSettled);

        /** No beat for the fence timeout: stop every run now. */
        void fence(Duration silentFor);
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
    private final Thread fenceWatch;
    /** System.nanoTime() before the last beat that Redis accepted (the key's TTL started later than that). */
    private volatile long lastBeatSent;
    private volatile boolean fenced;
    private volatile boolean closed;
    /** A gap (or a settlement) was seen and the catch-up after it has not succeeded yet: the gate stays shut. */
    private boolean catchUpOwed;
    private boolean settledSinceCatchUp;
    private int catchUpFailures;
    private long nextCatchUpNanos;

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
        stalls.condition("contact", () -> {
            long silent = System.nanoTime() - lastBeatSent;
            if (silent <= HOLD_AFTER.toNanos()) return null;
            return (fenced ? "fenced: runs stopped, " : "") + "out of contact with Redis (or not caught up) for "
                    + WorkerStalls.seconds(silent) + ": no node starts and no job is taken";
        });
        this.beater = Thread.ofPlatform().daemon().name("tether-worker-heartbeat").unstarted(this::beatLoop);
        this.fenceWatch = Thread.ofPlatform().daemon().name("tether-worker-fence").unstarted(this::fenceLoop);
    }

    /** The first beat: announces the worker. Throws if Redis does not take it. */
    void join() {
        long sent = System.nanoTime();
        send("join");
        lastBeatSent = sent;
        beater.start();
        fenceWatch.start();
    }

    /** One beat; a connection that broke is replaced at once (twice), not after a pause: a beat must not wait on bad luck. */
    private long send(String mode) {
        for (int attempt = 1; ; attempt++) {
            try {
                return (Long) Script.BEAT.eval(redis, List.of(keys.worker(name), keys.workers()),
                        List.of(Json.write(info.get()), Long.toString(TTL.toMillis()), name, mode));
            } catch (redis.clients.jedis.exceptions.JedisConnectionException e) {
                if (attempt == 3) throw e;
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
            } catch (RuntimeException e) {
                connectivity.down(e);
                sleep(RETRY_MILLIS);
                continue;
            }
            if (sent - lastBeatSent > HOLD_AFTER.toNanos() || listed == 0 || fenced) catchUpOwed = true;
            if (listed == 0) settledSinceCatchUp = true;
            if (catchUpOwed && !catchUp()) {
                sleep(Math.min(EVERY.toMillis(), Math.max(1, (nextCatchUpNanos - System.nanoTime()) / 1_000_000)));
                continue; // beats go on; the gate stays shut until the catch-up has succeeded
            }
            lastBeatSent = sent; // before the fence is lifted: the fence watch must not see an old beat and fence again
            if (fenced) {
                fenced = false;
                LOG.warn("worker '{}' is in contact with Redis again", name);
            }
            synchronized (gate) {
                gate.notifyAll();
            }
            sleep(EVERY.toMillis());
        }
    }

    /** The owed catch-up, if its backoff allows an attempt now; @return whether it is done */
    private boolean catchUp() {
        if (System.nanoTime() < nextCatchUpNanos) return false;
        try {
            // Catch up before the gate opens: a run LOST meanwhile must be stopped, not resumed.
            listener.caughtUp(settledSinceCatchUp);
        } catch (RuntimeException e) {
            connectivity.down(e);
            stalls.failed(CATCHING_UP, e);
            catchUpFailures++;
            long delay = Math.min(CATCH_UP_MAX_RETRY_MILLIS, RETRY_MILLIS << Math.min(catchUpFailures - 1, 10));
            nextCatchUpNanos = System.nanoTime() + delay * 1_000_000;
            if (catchUpFailures == 1) {
                LOG.warn("worker '{}': catching up with Redis failed ({}); its runs stay held until it succeeds",
                        name, Text.oneLine(e.getMessage()));
            }
            return false;
        }
        stalls.worked(CATCHING_UP);
        if (catchUpFailures > 0) LOG.warn("worker '{}' caught up with Redis after {} failed attempts; its runs go on", name, catchUpFailures);
        catchUpOwed = false;
        settledSinceCatchUp = false;
        catchUpFailures = 0;
        nextCatchUpNanos = 0;
        return true;
    }

    private void fenceLoop() {
        long lastFence = 0;
        while (!closed) {
            long now = System.nanoTime();
            long silent = now - lastBeatSent;
            // Once fenced, again every second while it lasts: a run that reached the engine meanwhile is stopped too.
            if (silent > fenceTimeout.toNanos() && (!fenced || now - lastFence >= 1_000_000_000L)) {
                var d = Duration.ofNanos(silent);
                if (!fenced) LOG.warn("worker '{}' has not reached Redis for {} ms: stopping its runs (fence)", name, d.toMillis());
                fenced = true;
                lastFence = now;
                try {
                    listener.fence(d);
                } catch (RuntimeException e) {
                    LOG.error("fence failed", e);
                }
            }
            sleep(100);
        }
    }

    /** The heartbeat records of the live workers, by name; an unreadable one is skipped (it must not hide the others). */
    static List<WorkerInfo> liveWorkers(UnifiedJedis redis, Keys keys) {
        var out = new java.util.ArrayList<WorkerInfo>();
        for (var name : redis.smembers(keys.workers())) {
            var json = redis.get(keys.worker(name));
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

    /** Whether a beat got through recently enough for a node to start. */
    boolean fresh() {
        return System.nanoTime() - lastBeatSent <= HOLD_AFTER.toNanos();
    }

    /** The node gate: returns at once while beats get through; else waits for one (a cancel interrupts the wait). */
    void awaitFresh() throws InterruptedException {
        if (fresh()) return;
        LOG.info("worker '{}' is out of contact with Redis: holding a node until it is back", name);
        synchronized (gate) {
            while (!fresh() && !closed) gate.wait(100);
        }
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
