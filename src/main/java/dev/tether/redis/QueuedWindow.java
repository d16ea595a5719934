package dev.tether.redis;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import redis.clients.jedis.UnifiedJedis;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * How many QUEUED runs a console's mirror holds. Every RUNNING and CANCELLING run is held (worker slots
 * bound them), and the queued ones up to a cap, first in line first (the live index's {@code s:QUEUED:}
 * members, in id order, which is submission order): 100,000 parked runs would cost a console a
 * kilobyte each, for rows nobody scrolls through. The rest wait in Redis, counted ({@link #notShown()}),
 * and come in as held ones leave ({@link #refill}); {@code tether list} pages through all of them.
 *
 * <p>The cap is soft: the subscriber and the maintenance thread admit runs concurrently, and a run
 * the console submits itself is always held, so it may be passed by a few.
 */
final class QueuedWindow {
    static final int UNLIMITED = Integer.MAX_VALUE;
    /** Index members read per round trip while looking for queued runs not held. */
    private static final int SCAN_BATCH = 1_000;

    private final int cap;
    private final RunRegistry registry;
    /** QUEUED runs in Redis at the last count; -1 before the first. */
    private volatile long queuedInRedis = -1;

    QueuedWindow(int cap, RunRegistry registry) {
        if (cap < 1) throw new IllegalArgumentException("the queued runs shown must be at least 1, got " + cap);
        this.cap = cap;
        this.registry = registry;
    }

    boolean limited() {
        return cap != UNLIMITED;
    }

    /** As many QUEUED runs held as the cap allows: from now on a queued run not held stays in Redis. */
    boolean full() {
        return limited() && registry.count(RunStatus.QUEUED) >= cap;
    }

    /**
     * Whether {@code run} goes into the registry: a run already held (its newer version), any run while
     * the window has room (what a mirror of every run would take), else only a RUNNING or CANCELLING one.
     * An end of a run never held is not taken once full: the console never showed it, and History reads
     * Redis.
     */
    boolean admits(RunSnapshot run) {
        if (!full() || registry.get(run.runId()).isPresent()) return true;
        return run.status() != null && run.status().isActive() && run.status() != RunStatus.QUEUED;
    }

    /**
     * Whether a change for a run not held is worth reading its record for: always while the window has
     * room; once full, unless the change itself says the run is QUEUED or has ended (a run's start is a
     * whole snapshot, and a change without a status is read: it may be a run whose start was missed).
     */
    boolean readsChange(JsonNode change) {
        if (!full()) return true;
        var status = change.path("set").path("status");
        if (!status.isTextual()) return true;
        try {
            var s = RunStatus.valueOf(status.asText());
            return s.isActive() && s != RunStatus.QUEUED;
        } catch (IllegalArgumentException unknown) {
            return true; // the record decides
        }
    }

    /** Whether the registry holds every active run now (else some queued ones wait in Redis only). */
    boolean holdsEveryRun() {
        return !limited() || (!full() && notShown() == 0);
    }

    /** QUEUED runs in Redis that the registry does not hold (0 until counted, and when not limited). */
    long notShown() {
        long q = queuedInRedis;
        return q < 0 || !limited() ? 0 : Math.max(0, q - registry.count(RunStatus.QUEUED));
    }

    /** The ids of the active runs to load: every RUNNING and CANCELLING one, and the first {@code cap} queued ones. */
    List<String> idsToLoad(UnifiedJedis redis, Keys keys) {
        var ids = new ArrayList<String>();
        for (var s : RunStatus.values()) {
            if (s.isActive() && s != RunStatus.QUEUED) ids.addAll(members(redis, keys, s, UNLIMITED, id -> true));
        }
        ids.addAll(members(redis, keys, RunStatus.QUEUED, cap, id -> true));
        return ids;
    }

    /**
     * Counts the queued runs in Redis (one {@code ZLEXCOUNT}) and, when fewer than the cap are held and
     * some are not, hands the first ones not held to {@code load} (ids only: the records are read by the
     * caller, through {@link #admits}).
     */
    void refill(UnifiedJedis redis, Keys keys, Consumer<List<String>> load) {
        var prefix = "s:" + RunStatus.QUEUED + ":";
        long queued = redis.zlexcount(keys.live(), "[" + prefix, "[" + prefix + LiveScan.AFTER_ASCII);
        queuedInRedis = queued;
        int held = registry.count(RunStatus.QUEUED);
        if (held >= cap || queued <= held) return;
        var wanted = members(redis, keys, RunStatus.QUEUED, cap - held, id -> registry.get(id).isEmpty());
        if (!wanted.isEmpty()) load.accept(wanted);
    }

    /** The first {@code limit} ids under {@code s:STATUS:} that {@code keep} takes, in id order, {@value #SCAN_BATCH} members a round trip. */
    private static List<String> members(UnifiedJedis redis, Keys keys, RunStatus status, int limit, Predicate<String> keep) {
        var prefix = "s:" + status + ":";
        var out = new ArrayList<String>();
        var from = "[" + prefix;
        while (out.size() < limit) {
            var page = redis.zrangeByLex(keys.live(), from, "[" + prefix + LiveScan.AFTER_ASCII, 0, SCAN_BATCH);
            for (var m : page) {
                var id = m.substring(prefix.length());
                if (out.size() < limit && keep.test(id)) out.add(id);
            }
            if (page.size() < SCAN_BATCH) break;
            from = "(" + page.getLast();
        }
        return out;
    }
}
