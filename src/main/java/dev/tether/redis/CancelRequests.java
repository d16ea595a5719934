package dev.tether.redis;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

import dev.tether.engine.StopLevel;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Cancel requests across processes, in one place: a durable record per run (it outlives a worker
 * that is down, restarting or cut off; it expires after {@link #KEEP}) plus a publish for speed.
 * Both carry the {@link StopLevel} (the record holds the strongest asked for; a bare id, as older
 * clients send it, means {@link StopLevel#CANCEL}). A worker listens for the publish and, whenever
 * it may have missed some (on every subscription and every maintenance tick), checks the records
 * of its active runs.
 */
final class CancelRequests {
    static final Duration KEEP = Duration.ofHours(1);

    private final UnifiedJedis redis;
    private final Keys keys;

    CancelRequests(UnifiedJedis redis, Keys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** Records the request (never weaker than one already recorded) and publishes it, in one round trip. */
    void request(String runId, StopLevel level) {
        var recorded = level(redis.get(keys.cancel(runId)));
        var strongest = recorded != null && recorded.compareTo(level) > 0 ? recorded : level;
        try (var pipe = redis.pipelined()) {
            pipe.set(keys.cancel(runId), strongest.label(), SetParams.setParams().px(KEEP.toMillis()));
            pipe.publish(keys.cancels(), runId + " " + strongest.label());
            pipe.sync();
        }
    }

    /** Those of {@code runIds} that have a cancel record, with the level recorded. */
    Map<String, StopLevel> requestedAmong(Collection<String> runIds) {
        var ids = List.copyOf(runIds);
        var out = new LinkedHashMap<String, StopLevel>();
        if (ids.isEmpty()) return out;
        var values = redis.mget(ids.stream().map(keys::cancel).toArray(String[]::new));
        for (int i = 0; i < ids.size(); i++) {
            var level = level(values.get(i));
            if (level != null) out.put(ids.get(i), level);
        }
        return out;
    }

    /** A record's level: null for none; an unreadable one (or an older client's "1") is a plain cancel. */
    private static StopLevel level(String recorded) {
        if (recorded == null) return null;
        try {
            return StopLevel.parse(recorded);
        } catch (IllegalArgumentException e) {
            return StopLevel.CANCEL;
        }
    }

    /**
     * Calls {@code cancel} with every requested run id and level: at once for published requests, and
     * for the recorded requests of {@code activeRuns} on every (re)subscription.
     */
    Subscriber listen(RedisSettings settings, String clientName, Connectivity connectivity, BiConsumer<String, StopLevel> cancel,
                      java.util.function.Supplier<Collection<String>> activeRuns) {
        return new Subscriber(settings, clientName, keys.cancels(), connectivity, message -> {
            int space = message.indexOf(' ');
            if (space < 0) cancel.accept(message, StopLevel.CANCEL);
            else cancel.accept(message.substring(0, space), level(message.substring(space + 1)));
        }, () -> requestedAmong(activeRuns.get()).forEach(cancel)).start();
    }
}
