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
 * Both carry the {@link StopLevel}, who asked and the {@link CancelMode}, as {@code "level origin mode"}
 * (the record holds the strongest level asked for, who asked for it, and a rollback once any request
 * asked for one; {@code -} for an origin nobody said). Older clients wrote less: a bare id means
 * {@link StopLevel#CANCEL}, a level alone means nobody said who asked, and no mode means the worker
 * reads the run's rollback record to know it. A worker listens for the publish and, whenever
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

    /**
     * One request as the record and the publish carry it: how hard, who asked (null when not said), and
     * whether its checkpoints go (null when an older client did not say: its rollback is only in the
     * run's rollback record).
     */
    record Ask(StopLevel level, CancelOrigin origin, CancelMode mode) {
        Ask(CancelRequest request) {
            this(request.level(), request.origin(), request.mode());
        }

        /** The request the worker's engine gets, as asked; an unsaid mode is the plain one (the caller reads the record). */
        CancelRequest request() {
            return new CancelRequest(level, origin, mode == null ? CancelMode.INTERRUPT : mode, null);
        }

        String wire() {
            var who = origin == null ? "-" : origin.name().toLowerCase(java.util.Locale.ROOT);
            if (mode == null) return origin == null ? level.label() : level.label() + " " + who; // as the older client wrote it
            return level.label() + " " + who + " " + mode.name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * A record's or message's value: null for none. An unreadable level (or an older client's "1") is a plain
         * cancel, an unreadable origin nobody, and an unreadable or missing mode one not said.
         */
        static Ask parse(String value) {
            if (value == null) return null;
            var words = value.trim().split("\\s+", 4);
            StopLevel level;
            try {
                // "1" was the whole record before levels existed: a plain cancel, not level 1
                level = words[0].equals("1") ? StopLevel.CANCEL : StopLevel.parse(words[0]);
            } catch (IllegalArgumentException e) {
                level = StopLevel.CANCEL;
            }
            return new Ask(level, words.length > 1 ? CancelOrigin.parse(words[1]) : null, words.length > 2 ? mode(words[2]) : null);
        }

        private static CancelMode mode(String word) {
            try {
                return CancelMode.valueOf(word.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException newerOrBroken) {
                return null;
            }
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

    /**
     * What the record must say after {@code request}: never weaker than {@code recordedValue}, the record read
     * before, and a rollback once either asked for one. A mode an older client left unsaid stays unsaid unless
     * this one is a rollback: that client's rollback, if it was one, is only in the rollback record.
     */
    static Ask strongest(String recordedValue, CancelRequest request) {
        var recorded = Ask.parse(recordedValue);
        var asked = new Ask(request);
        var stronger = recorded != null && recorded.level().strongerThan(asked.level()) ? recorded : asked;
        CancelMode mode;
        if (asked.mode() == CancelMode.ROLLBACK || recorded != null && recorded.mode() == CancelMode.ROLLBACK) mode = CancelMode.ROLLBACK;
        else if (recorded != null && recorded.mode() == null) mode = null;
        else mode = asked.mode();
        return new Ask(stronger.level(), stronger.origin(), mode);
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
            var idAndAsk = message.split(" ", 2); // an older client's bare id asks nothing more: Ask.parse reads that as a plain cancel
            cancel.accept(idAndAsk[0], Ask.parse(idAndAsk.length > 1 ? idAndAsk[1] : ""));
        }, () -> requestedAmong(activeRuns.get()).forEach(cancel)).start();
    }
}
