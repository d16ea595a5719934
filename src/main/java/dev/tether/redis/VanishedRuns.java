package dev.tether.redis;

import dev.tether.engine.WorkerInfo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * A view's judgement of runs it shows active whose record is gone from Redis (Redis restarted without
 * its data). A worker that still runs one writes it again when it catches up, and a catch-up can take
 * long (connections killed again and again, a user without a right): until then the record is
 * missing although the run goes on. So a missing run is judged lost only once it has been missing
 * for {@link #AFTER} <em>and</em> no worker may still bring it back: no live worker says it is
 * holding its runs (out of contact, or not caught up), and no worker seen live lately has been silent
 * for less than its fence timeout (by then it has stopped its runs itself, or it is dead).
 *
 * <p>Not thread-safe: one view's maintenance thread calls it. Times are {@link System#nanoTime()}.
 */
final class VanishedRuns {
    /** A run whose record has been gone this long, with no worker left to write it back, is shown LOST. */
    static final Duration AFTER = Duration.ofSeconds(5);
    /** The fence timeout of a worker that does not say its own: the worker's default. */
    static final Duration DEFAULT_FENCE = RedisWorker.DEFAULT_FENCE_TIMEOUT;

    private final Map<String, Long> missingSince = new HashMap<>();
    /** Workers seen live: when last, and until when their silence may still hide runs of theirs. */
    private final Map<String, Long> silentUntil = new HashMap<>();
    private List<String> holding = List.of();
    private java.util.Set<String> live = java.util.Set.of();

    /** After each read of the live workers (heartbeats). */
    void workersRead(Collection<WorkerInfo> live, long now) {
        var holders = new ArrayList<String>();
        var names = new HashSet<String>();
        for (var w : live) {
            names.add(w.name());
            long fence = w.fenceAfterMillis() == null ? DEFAULT_FENCE.toNanos() : Duration.ofMillis(w.fenceAfterMillis()).toNanos();
            silentUntil.put(w.name(), now + fence + Heartbeat.TTL.toNanos());
            if (Boolean.TRUE.equals(w.holding())) holders.add(w.name());
        }
        holding = List.copyOf(holders);
        this.live = names;
        silentUntil.entrySet().removeIf(e -> !names.contains(e.getKey()) && now - e.getValue() >= 0);
    }

    /** Why a missing run cannot be judged yet (a worker that may still write it back), or null if it can. */
    String waitingFor() {
        if (!holding.isEmpty()) return "worker '" + holding.getFirst() + "' is catching up with Redis";
        for (var name : silentUntil.keySet()) {
            if (!live.contains(name)) return "worker '" + name + "' is silent but may not have stopped its runs yet";
        }
        return null;
    }

    /**
     * @param absent the runs shown active whose record Redis does not have, read after the workers
     * @return those to show LOST now (each once)
     */
    List<String> lost(Collection<String> absent, long now) {
        missingSince.keySet().retainAll(new HashSet<>(absent));
        for (var id : absent) missingSince.putIfAbsent(id, now);
        if (waitingFor() != null) return List.of();
        var out = new ArrayList<String>();
        for (var e : missingSince.entrySet()) {
            if (now - e.getValue() >= AFTER.toNanos()) out.add(e.getKey());
        }
        out.forEach(missingSince::remove);
        return out;
    }
}
