package dev.tether.redis;

import dev.tether.run.RunIds;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The run ids index ({@link Keys#ids()}, written by the scripts with each run record: put.lua's
 * {@code index()}): finds a run by a part of its id, and the attempts that resume a run, in a round
 * trip or two however many runs Redis holds. Members, all scored 0 so that they sort as strings:
 * {@code f:ID} (the id's start), {@code r:DI} (the id reversed: its end, the short id) and
 * {@code s:RESUMED:ID} (a run that resumes another).
 *
 * <p>Runs written by a Tether older than the index have no entries until their next write; a full
 * id is therefore always looked up exactly, and {@code tether redis setup} indexes the runs the
 * active set and the finished index list ({@link #backfill()}), and lists their active runs in the live index.
 */
final class RunIndex {
    /** Runs checked per {@link #prune()} pass: bounded work for the worker's maintenance. */
    static final int PRUNE_BATCH = 200;
    /** Every member is ASCII: a member that starts with a prefix sorts before the prefix and this character. */
    private static final String AFTER_ASCII = "\u00ff";

    private final UnifiedJedis redis;
    private final Keys keys;
    /** The last run id {@link #prune()} checked; null to start again from the first. */
    private String pruned;
    /** The last live-index member {@link #pruneLive()} checked; null to start again from the first. */
    private String prunedLive;

    RunIndex(UnifiedJedis redis, Keys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /**
     * The full id of the run {@code reference} names: a full id as it is (looked up exactly by the
     * caller, so a run the index misses is still found by it), else the one run whose id starts or
     * ends with it.
     *
     * @param reference checked by {@link RunIds#checkReference}
     * @throws IllegalArgumentException when it names several runs
     */
    Optional<String> resolve(String reference) {
        if (reference.length() >= RunIds.FULL_LENGTH) return Optional.of(reference);
        Response<List<String>> starts, ends;
        try (var pipe = redis.pipelined()) {
            starts = pipe.zrangeByLex(keys.ids(), "[f:" + reference, "[f:" + reference + AFTER_ASCII, 0, 2);
            var reversed = new StringBuilder(reference).reverse();
            ends = pipe.zrangeByLex(keys.ids(), "[r:" + reversed, "[r:" + reversed + AFTER_ASCII, 0, 2);
            pipe.sync();
        }
        var ids = new LinkedHashSet<String>();
        for (var m : starts.get()) ids.add(m.substring(2));
        for (var m : ends.get()) ids.add(new StringBuilder(m.substring(2)).reverse().toString());
        if (ids.size() > 1) throw new IllegalArgumentException("run id prefix '" + reference + "' is ambiguous");
        return ids.stream().findFirst();
    }

    /** The ids of the runs that resume any of {@code runIds} (one round trip). */
    List<String> resuming(Collection<String> runIds) {
        if (runIds.isEmpty()) return List.of();
        var replies = new ArrayList<Response<List<String>>>(runIds.size());
        try (var pipe = redis.pipelined()) {
            for (var id : runIds) replies.add(pipe.zrangeByLex(keys.ids(), "[s:" + id + ":", "[s:" + id + ":" + AFTER_ASCII));
            pipe.sync();
        }
        var out = new ArrayList<String>();
        for (var r : replies) for (var m : r.get()) out.add(m.substring(m.lastIndexOf(':') + 1));
        return out;
    }

    /**
     * One pass of pruning: the next {@value #PRUNE_BATCH} indexed runs (in id order, from where the
     * last pass stopped, round and round) lose their entries if their record is gone. Run by each
     * worker's maintenance, so the index holds about what Redis holds: finished runs' records
     * expire after their worker's {@code --finished-ttl}.
     *
     * @return how many runs were pruned
     */
    long prune() {
        var from = pruned == null ? "[f:" : "(f:" + pruned;
        var members = redis.zrangeByLex(keys.ids(), from, "[f:" + AFTER_ASCII, 0, PRUNE_BATCH);
        pruned = members.size() < PRUNE_BATCH ? null : members.getLast().substring(2);
        if (members.isEmpty()) return 0;
        var scriptKeys = new ArrayList<String>(members.size() + 1);
        scriptKeys.add(keys.ids());
        var ids = new ArrayList<String>(members.size());
        for (var m : members) {
            var id = m.substring(2);
            ids.add(id);
            scriptKeys.add(keys.run(id));
        }
        return (Long) Script.PRUNE.eval(redis, scriptKeys, ids);
    }

    /**
     * One pass of pruning the live index ({@link Keys#live()}): the next {@value #PRUNE_BATCH} active runs
     * it lists (round and round) lose their entries if they are no longer active: the record vanished
     * (expired, deleted, lost with Redis' data) or was moved out of the active set (quarantined). A run
     * that ends the normal way leaves the index in the same script; this is for everything else.
     *
     * @return how many runs were pruned
     */
    long pruneLive() {
        var from = prunedLive == null ? "[a:" : "(" + prunedLive;
        var members = redis.zrangeByLex(keys.live(), from, "[a:" + AFTER_ASCII, 0, PRUNE_BATCH);
        prunedLive = members.size() < PRUNE_BATCH ? null : members.getLast();
        if (members.isEmpty()) return 0;
        var scriptKeys = new ArrayList<String>(members.size() + 2);
        scriptKeys.add(keys.live());
        scriptKeys.add(keys.active());
        for (var m : members) scriptKeys.add(keys.run(m.length() > 2 + RunIds.FULL_LENGTH ? m.substring(2, 2 + RunIds.FULL_LENGTH) : "-"));
        return (Long) Script.UNLIVE.eval(redis, scriptKeys, members);
    }

    /**
     * Indexes every run the active set and the finished index list (the admin step, once after an
     * upgrade: runs written before the index existed are then found by their short id too). Their
     * resumes are not linked: the attempts of such a run are found back along {@code resumeOf}.
     *
     * @return how many runs it indexed (already indexed ones included)
     */
    long backfill() {
        long n = 0;
        var cursor = ScanParams.SCAN_POINTER_START;
        do {
            var page = redis.sscan(keys.active(), cursor, new ScanParams().count(1_000));
            n += add(page.getResult());
            addLive(page.getResult());
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        for (long at = 0; ; at += 1_000) {
            var page = redis.zrange(keys.finished(), at, at + 999);
            n += add(page);
            if (page.size() < 1_000) break;
        }
        return n;
    }

    /** Lists active runs in the live index as put.lua would (a run written since is already there: the same members). */
    private void addLive(List<String> ids) {
        var members = new java.util.HashMap<String, Double>();
        for (var run : RunStore.load(redis, keys, ids)) {
            if (!run.isTerminal()) for (var m : LiveScan.members(run.runId(), LiveScan.descriptor(run))) members.put(m, 0.0);
        }
        if (!members.isEmpty()) redis.zadd(keys.live(), members);
    }

    private long add(List<String> ids) {
        if (ids.isEmpty()) return 0;
        var members = new java.util.HashMap<String, Double>();
        for (var id : ids) {
            members.put("f:" + id, 0.0);
            members.put("r:" + new StringBuilder(id).reverse(), 0.0);
        }
        redis.zadd(keys.ids(), members);
        return ids.size();
    }
}
