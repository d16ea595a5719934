package dev.tether.redis;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Cancel requests across processes, in one place: a durable record per run (it outlives a worker
 * that is down, restarting or cut off; it expires after {@link #KEEP}) plus a publish for speed.
 * A worker listens for the publish and, whenever it may have missed some (on every subscription
 * and every heartbeat), checks the records of its active runs.
 */
final class CancelRequests {
    static final Duration KEEP = Duration.ofHours(1);

    private final UnifiedJedis redis;
    private final Keys keys;

    CancelRequests(UnifiedJedis redis, Keys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** Records the request and publishes the id, in one round trip. */
    void request(String runId) {
        try (var pipe = redis.pipelined()) {
            pipe.set(keys.cancel(runId), "1", SetParams.setParams().px(KEEP.toMillis()));
            pipe.publish(keys.cancels(), runId);
            pipe.sync();
        }
    }

    /** Those of {@code runIds} that have a cancel record. */
    List<String> requestedAmong(Collection<String> runIds) {
        var ids = List.copyOf(runIds);
        var exists = Exists.each(redis, ids.stream().map(keys::cancel).toList());
        var out = new ArrayList<String>();
        for (int i = 0; i < ids.size(); i++) if (exists.get(i)) out.add(ids.get(i));
        return out;
    }

    /**
     * Calls {@code cancel} with every requested run id: at once for published requests, and for the
     * recorded requests of {@code activeRuns} on every (re)subscription.
     */
    Subscriber listen(RedisSettings settings, String clientName, Connectivity connectivity, Consumer<String> cancel,
                      java.util.function.Supplier<Collection<String>> activeRuns) {
        return new Subscriber(settings, clientName, keys.cancels(), connectivity, cancel,
                () -> requestedAmong(activeRuns.get()).forEach(cancel)).start();
    }
}
