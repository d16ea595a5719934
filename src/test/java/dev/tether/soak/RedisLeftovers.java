package dev.tether.soak;

import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.ScanParams;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What must be left in Redis once every run has ended (docs/redis-protocol.md, "Keys"): no active
 * run, no job pending in a consumer's list or never read, every record of an ended run, checkpoint
 * list, cancel or rollback record with an expiry (1 day, 1 hour), no checkpoints of a completed run,
 * heartbeats and run sets of live workers only, a sweep lock only with its expiry, the run ids index
 * with well-formed entries, no live index (no run listed as active); and after the workers stopped, no worker or consumer at all. Any other
 * key is unknown.
 */
final class RedisLeftovers {
    private static final String P = "tether:";
    private final RedisClient redis;
    private final List<String> problems = new ArrayList<>();
    private final Map<String, Integer> keysByKind = new TreeMap<>();

    RedisLeftovers(RedisClient redis) {
        this.redis = redis;
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    Map<String, Integer> keysByKind() {
        return Map.copyOf(keysByKind);
    }

    /** With every run ended and {@code liveWorkers} running. */
    RedisLeftovers checkSettled(Set<String> liveWorkers, Set<String> completedRuns, java.util.function.Function<String, String> describe) {
        long active = redis.scard(P + "runs:active");
        if (active > 0) problems.add(active + " runs still in runs:active: " + redis.smembers(P + "runs:active"));
        for (var queue : redis.smembers(P + "queues")) checkQueue(queue);
        var members = redis.smembers(P + "workers");
        if (!members.equals(liveWorkers)) problems.add("workers set " + members + ", live workers " + liveWorkers);
        for (var key : keys()) {
            var rest = key.substring(P.length());
            long ttl = redis.pttl(key);
            if (rest.startsWith("run:")) {
                count("run record");
                if (ttl < 0) problems.add("record of an ended run without expiry: " + key);
            } else if (rest.startsWith("cp:")) {
                count("checkpoints");
                var id = rest.substring(3).replace(":bytes", "");
                if (ttl < 0) problems.add("checkpoints without expiry: " + key);
                if (completedRuns.contains(id) && !key.endsWith(":bytes")) {
                    problems.add("checkpoints (" + redis.llen(key) + ", ttl " + ttl + " ms) of a completed run: " + describe.apply(id));
                }
            } else if (rest.startsWith("cancel:") || rest.startsWith("rollback:")) {
                count(rest.substring(0, rest.indexOf(':')) + " record");
                if (ttl < 0 || ttl > 3_600_000) problems.add("cancel record not expiring within its hour: " + key + " (ttl " + ttl + " ms)");
            } else if (rest.startsWith("worker:")) {
                count("worker key");
                var name = rest.substring(7);
                if (name.endsWith(":runs")) {
                    problems.add("runs held by worker " + name + " with every run ended: " + redis.smembers(key));
                } else if (name.endsWith(":policy")) {
                    var worker = name.substring(0, name.length() - 7);
                    if (!liveWorkers.contains(worker)) problems.add("policy of a gone worker: " + key);
                } else {
                    if (!liveWorkers.contains(name)) problems.add("heartbeat of a gone worker: " + key);
                    if (ttl < 0) problems.add("heartbeat without expiry: " + key);
                }
            } else if (rest.equals("lock:sweep")) {
                count("sweep lock");
                if (ttl < 0) problems.add("sweep lock without expiry");
            } else if (rest.equals("runs:ids")) {
                count("run ids index");
                checkIndex(key);
            } else if (rest.equals("runs:live")) { // each run leaves it in the script that ends it
                problems.add("the live index still lists runs with every run ended: " + redis.zrange(key, 0, 9));
            } else if (rest.startsWith("q:") || Set.of("queues", "workers", "runs:active", "runs:finished", "dead").contains(rest)) {
                count(rest.startsWith("q:") ? "queue stream" : rest);
            } else {
                problems.add("unknown key " + key);
            }
        }
        return this;
    }

    /** The run ids index: only its three kinds of entry, and each run found by its start is found by its end too. */
    private void checkIndex(String key) {
        var starts = new java.util.HashSet<String>();
        var ends = new java.util.HashSet<String>();
        for (var m : redis.zrange(key, 0, -1)) {
            if (m.startsWith("f:")) starts.add(m.substring(2));
            else if (m.startsWith("r:")) ends.add(new StringBuilder(m.substring(2)).reverse().toString());
            else if (!m.startsWith("s:") || m.indexOf(':', 2) < 0) problems.add("run ids index: unknown entry " + m);
        }
        if (!starts.equals(ends)) problems.add("run ids index: starts and ends differ for " + diff(starts, ends));
    }

    private static List<String> diff(Set<String> a, Set<String> b) {
        var out = new ArrayList<String>();
        for (var x : a) if (!b.contains(x)) out.add(x);
        for (var x : b) if (!a.contains(x)) out.add(x);
        return out.stream().limit(10).toList();
    }

    /** After every worker stopped: no worker key, no consumer in any group. */
    RedisLeftovers checkWorkersGone() {
        for (var key : keys()) {
            if (key.startsWith(P + "worker:") || key.equals(P + "workers")) problems.add("left by stopped workers: " + key);
        }
        for (var queue : redis.smembers(P + "queues")) {
            var stream = P + "q:" + queue;
            if (!redis.exists(stream)) continue;
            for (var group : redis.xinfoGroups(stream)) {
                if (group.getConsumers() > 0) {
                    problems.add("consumers left in " + stream + ": " + redis.xinfoConsumers2(stream, group.getName()).stream()
                            .map(c -> c.getName() + " (" + c.getPending() + " pending)").toList());
                }
            }
        }
        return this;
    }

    private void checkQueue(String queue) {
        var stream = P + "q:" + queue;
        if (!redis.exists(stream)) return;
        var groups = redis.xinfoGroups(stream);
        if (groups.isEmpty()) {
            if (redis.xlen(stream) > 0) problems.add(redis.xlen(stream) + " jobs in " + stream + " and no group to read them");
            return;
        }
        for (var g : groups) {
            if (g.getPending() > 0) problems.add(g.getPending() + " jobs pending (read, never acknowledged) in " + stream + " group " + g.getName());
            var last = redis.xrevrange(stream, (StreamEntryID) null, null, 1);
            if (!last.isEmpty() && last.getFirst().getID().compareTo(g.getLastDeliveredId()) > 0) {
                var unread = redis.xrange(stream, g.getLastDeliveredId(), (StreamEntryID) null, 1_000).stream()
                        .filter(e -> e.getID().compareTo(g.getLastDeliveredId()) > 0).toList();
                problems.add(unread.size() + " jobs never read in " + stream + ": " + unread.stream().limit(5).map(e -> e.getFields().get("id")).toList());
            }
        }
    }

    private void count(String kind) {
        keysByKind.merge(kind, 1, Integer::sum);
    }

    private Collection<String> keys() {
        var out = new ArrayList<String>();
        var params = new ScanParams().match(P + "*").count(1_000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            var page = redis.scan(cursor, params);
            out.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return out;
    }
}
