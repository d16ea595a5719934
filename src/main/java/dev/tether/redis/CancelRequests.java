package dev.tether.redis;

import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

import dev.tether.run.CancelMode;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelRequest;
import dev.tether.run.StopLevel;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Cancel requests across processes, in one place: a durable record per run (it outlives a worker
 * that is down, restarting or cut off; it expires after {@link #KEEP}) plus a publish for speed.
 * Both carry the {@link StopLevel} and who asked, as {@code "level origin"} (the record holds the
 * strongest level asked for and who asked for it; a bare id, as older clients send it, means
 * {@link StopLevel#CANCEL}, and a level alone means nobody said who asked). A worker listens for the publish and, whenever
 * it may have missed some (on every subscription and every maintenance tick), checks the records
 * of its active runs.
 */
final class CancelRequests {
    static final Duration KEEP = Duration.ofHours(1);

    private final UnifiedJedis redis;
    private final ReplicaTarget replicas;
    private final Keys keys;

    CancelRequests(UnifiedJedis redis, Keys keys) {
        this(redis, keys, ReplicaTarget.fixed(0));
    }

    /** @param replicas how many replicas a request must reach before it counts ({@link RedisSettings#replicaTarget()}) */
    CancelRequests(UnifiedJedis redis, Keys keys, ReplicaTarget replicas) {
        this.redis = redis;
        this.keys = keys;
        this.replicas = replicas;
    }

    /** One request as the record and the publish carry it: how hard, and who asked (null when an older client did not say). */
    record Ask(StopLevel level, CancelOrigin origin) {
        /** The request the worker's engine gets: as asked, checkpoints kept (a rollback is its own record). */
        CancelRequest request() {
            return new CancelRequest(level, origin, CancelMode.INTERRUPT, null);
        }

        String wire() {
            return origin == null ? level.label() : level.label() + " " + origin.name().toLowerCase(java.util.Locale.ROOT);
        }

        /** A record's or message's value: null for none; an unreadable level (or an older client's "1") is a plain cancel. */
        static Ask parse(String value) {
            if (value == null) return null;
            var text = value.trim();
            int space = text.indexOf(' ');
            var levelText = space < 0 ? text : text.substring(0, space);
            StopLevel level;
            try {
                // "1" was the whole record before levels existed: a plain cancel, not level 1
                level = levelText.equals("1") ? StopLevel.CANCEL : StopLevel.parse(levelText);
            } catch (IllegalArgumentException e) {
                level = StopLevel.CANCEL;
            }
            return new Ask(level, space < 0 ? null : CancelOrigin.parse(text.substring(space + 1)));
        }
    }

    /**
     * Records the request's level and origin (never weaker than one already recorded) and publishes
     * them, in one round trip. Its mode travels in its own record (rollback); its reason stays with the
     * process that asked (a policy's stop is asked by the worker holding the run).
     */
    void request(String runId, CancelRequest request) {
        record(runId, strongest(redis.get(keys.cancel(runId)), request), false, null);
    }

    /** What the record must say after {@code request}: never weaker than {@code recordedValue}, the record read before. */
    static Ask strongest(String recordedValue, CancelRequest request) {
        var recorded = Ask.parse(recordedValue);
        return recorded != null && recorded.level().strongerThan(request.level()) ? recorded : new Ask(request.level(), request.origin());
    }

    /**
     * Sets the record to {@code ask} and publishes it, with {@code alongside} (a write of the run's own,
     * may be null) after them in the same round trip, on one connection, so that a {@code WAIT} for the
     * replicas counts them all.
     *
     * @param untilTaken no expiry: for a QUEUED run whose state this user may not write (the submitter role),
     *                   which may wait longer than {@link #KEEP} before a worker takes it; the worker's claim
     *                   gives the record its usual life when it finds it (claim.lua)
     * @return {@code alongside}'s response (null without one), not yet read: its refusal is the caller's to judge
     * @throws NotReplicatedException when fewer replicas than asked confirmed the writes
     */
    <T> Response<T> record(String runId, Ask ask, boolean untilTaken, Function<Pipeline, Response<T>> alongside) {
        var life = untilTaken ? SetParams.setParams() : SetParams.setParams().px(KEEP.toMillis());
        return HomeNode.pipelined(redis, keys.cancel(runId), pipe -> {
            var recordedNow = pipe.set(keys.cancel(runId), ask.wire(), life);
            pipe.publish(keys.cancels(), runId + " " + ask.wire());
            var also = alongside == null ? null : alongside.apply(pipe);
            int asked = replicas.now();
            var reached = asked > 0 ? pipe.waitReplicas(asked, RedisSettings.REPLICA_WAIT.toMillis()) : null;
            pipe.sync();
            recordedNow.get(); // a refusal (NOPERM: an observer's user) is this request's failure, not silence
            if (reached != null && reached.get() < asked) throw new NotReplicatedException("the cancel request", reached.get(), asked);
            return also;
        });
    }

    /** What {@link #requestIfStarted} found: whether it recorded and published, the run's JSON and its cancel record (null: none). */
    record Found(boolean requested, String runJson, String recorded) {}

    /**
     * The common cancel in one round trip ({@code cancel.lua}): a started run (RUNNING or CANCELLING)
     * with no cancel record gets {@code ask} recorded and published. Otherwise nothing is written, and
     * what was read says what to do.
     *
     * @return null when this user may not run the script (rules or a script cache from before it
     *         existed, until {@code tether redis setup} runs again): the caller reads and writes in two round trips
     * @throws NotReplicatedException when fewer replicas than asked confirmed the writes
     */
    Found requestIfStarted(String runId, Ask ask, String runKey) {
        Object reply;
        try {
            reply = Script.CANCEL.evalReplicated(redis, List.of(runKey, keys.cancel(runId)),
                    List.of(ask.wire(), Long.toString(KEEP.toMillis()), keys.cancels(), runId), replicas);
        } catch (redis.clients.jedis.exceptions.JedisAccessControlException | ScriptsNotLoadedException older) {
            return null;
        }
        var values = (List<?>) reply;
        return new Found(Long.valueOf(1).equals(values.get(0)), text(values.get(1)), values.size() > 2 ? text(values.get(2)) : null);
    }

    /** A script's string reply: Lua's false arrives as null (RESP2) or false (RESP3). */
    private static String text(Object value) {
        if (value instanceof byte[] bytes) return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        return value instanceof String s ? s : null;
    }

    /** Whether a rollback of the run is on record; false when Redis cannot say now (the cancel goes on without it). */
    boolean rollbackRecorded(String runId) {
        try {
            return redis.exists(keys.rollback(runId));
        } catch (redis.clients.jedis.exceptions.JedisException e) {
            return false;
        }
    }

    /** Those of {@code runIds} that have a cancel record, with the level recorded and who asked. */
    Map<String, Ask> requestedAmong(Collection<String> runIds) {
        var ids = List.copyOf(runIds);
        var out = new LinkedHashMap<String, Ask>();
        if (ids.isEmpty()) return out;
        var values = redis.mget(ids.stream().map(keys::cancel).toArray(String[]::new));
        for (int i = 0; i < ids.size(); i++) {
            var ask = Ask.parse(values.get(i));
            if (ask != null) out.put(ids.get(i), ask);
        }
        return out;
    }

    /**
     * Calls {@code cancel} with every requested run id and level: at once for published requests, and
     * for the recorded requests of {@code activeRuns} on every (re)subscription.
     */
    Subscriber listen(RedisSettings settings, String clientName, Connectivity connectivity, BiConsumer<String, Ask> cancel,
                      java.util.function.Supplier<Collection<String>> activeRuns) {
        return new Subscriber(settings, clientName, keys.cancels(), connectivity, message -> {
            int space = message.indexOf(' ');
            if (space < 0) cancel.accept(message, new Ask(StopLevel.CANCEL, null));
            else cancel.accept(message.substring(0, space), Ask.parse(message.substring(space + 1)));
        }, () -> requestedAmong(activeRuns.get()).forEach(cancel)).start();
    }
}
