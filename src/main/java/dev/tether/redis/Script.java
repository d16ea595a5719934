package dev.tether.redis;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One Lua script of the protocol (resources beside this class), run by its SHA. A server that lost
 * its script cache (restart, {@code SCRIPT FLUSH}) answers {@code NOSCRIPT}; then nothing of the
 * script ran, so loading it and running it again is safe.
 */
final class Script {
    private static final String PUT = read("put.lua");

    static final Script WRITE = new Script("write.lua");
    static final Script SUBMIT = new Script("submit.lua");
    static final Script CLAIM = new Script("claim.lua");
    static final Script FINISH = new Script("finish.lua");
    static final Script UPDATE = new Script("update.lua");
    static final Script SETTLE = new Script("settle.lua");
    static final Script BEAT = new Script("beat.lua");
    static final Script UNLOCK = new Script("unlock.lua");
    static final Script CHECKPOINT = new Script("checkpoint.lua");
    static final Script PUMP = new Script("pump.lua");
    static final Script PRUNE = new Script("prune.lua");
    static final Script UNLIVE = new Script("unlive.lua");
    static final Script CANCEL = new Script("cancel.lua");

    private final String name;
    private final String text;
    private final String sha;

    private Script(String name) {
        this.name = name;
        var body = read(name);
        // Every script that writes a run gets the same put(); the others do not need it but carry it harmlessly.
        this.text = PUT + "\n" + body;
        this.sha = sha1(text);
    }

    Object eval(UnifiedJedis redis, List<String> keys, List<String> args) {
        try {
            return redis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            load(redis, keys.getFirst());
            return redis.evalsha(sha, keys, args);
        }
    }

    /**
     * As {@link #eval}, then, on the same connection and in the same round trip, {@code WAIT} until
     * {@code replicas} replicas hold every write made on it so far (none asked: a plain eval).
     *
     * @throws NotReplicatedException when fewer confirm within {@link RedisSettings#REPLICA_WAIT}
     */
    Object evalReplicated(UnifiedJedis redis, List<String> keys, List<String> args, ReplicaTarget target) {
        int replicas = target.now();
        if (replicas == 0) return eval(redis, keys, args);
        for (int attempt = 1; ; attempt++) {
            var out = HomeNode.pipelined(redis, keys.getFirst(), one -> {
                var result = one.evalsha(sha, keys, args);
                var reached = one.waitReplicas(replicas, RedisSettings.REPLICA_WAIT.toMillis());
                one.sync();
                Object value;
                try {
                    value = result.get();
                } catch (JedisNoScriptException e) { // nothing of it ran: load it and run it again
                    return e;
                }
                if (reached.get() < replicas) throw new NotReplicatedException(name, reached.get(), replicas);
                return value;
            });
            if (!(out instanceof JedisNoScriptException noScript)) return out;
            if (attempt > 1) throw noScript;
            load(redis, keys.getFirst());
        }
    }

    /**
     * Loads this script into the server holding {@code key} (in a cluster, every node has its own cache),
     * on a connection to that server: a cluster client sends {@code SCRIPT LOAD} to every node, and fails
     * it when any node is down, even a replica or another slot's master. Only the admin role may
     * ({@code tether redis setup}): a user below it is refused with NOPERM, and is then told, in one line,
     * what the operator has to do.
     */
    void load(UnifiedJedis redis, String key) {
        try {
            HomeNode.pipelined(redis, key, one -> {
                var loaded = one.scriptLoad(text, key);
                one.sync();
                return loaded.get();
            });
        } catch (JedisAccessControlException e) {
            throw new ScriptsNotLoadedException(this);
        }
    }

    /** Every script of the protocol, in a stable order (what {@code tether redis setup} loads and the ACLs name). */
    static List<Script> all() {
        return List.of(WRITE, SUBMIT, CLAIM, FINISH, UPDATE, SETTLE, BEAT, UNLOCK, CHECKPOINT, PUMP, PRUNE, UNLIVE, CANCEL);
    }

    /** Resource name, e.g. {@code submit.lua}. */
    String name() {
        return name;
    }

    String sha() {
        return sha;
    }

    String text() {
        return text;
    }

    @Override
    public String toString() {
        return name;
    }

    private static String read(String resource) {
        try (var in = Script.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing script " + resource);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            var digest = java.security.MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
