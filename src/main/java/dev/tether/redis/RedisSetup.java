package dev.tether.redis;

import redis.clients.jedis.UnifiedJedis;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin role's one-time step (docs/redis-protocol.md, roles): loads Tether's scripts into the
 * server's script cache, which no role below admin may do, and writes the server-side configuration
 * every participant's scripts read (the finished index's cap). Run again after a Redis 7 restart (it
 * empties the script cache) and after an upgrade of Tether (new scripts have new SHA1s); that run also
 * indexes the runs an older Tether wrote ({@link RunIndex#backfill()}), so their short ids resolve.
 */
public final class RedisSetup {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RedisSetup.class);
    /** The finished index's cap while no admin has set one (what {@code put.lua} falls back to). */
    public static final int DEFAULT_FINISHED_CAP = 10_000;

    private RedisSetup() {}

    /**
     * @param finishedCap the finished index's cap to set; null keeps what is set
     * @return each script's name and the SHA1 the ACLs' {@code +evalsha|SHA} rules name, in a stable order
     */
    public static Map<String, String> run(RedisSettings settings, Integer finishedCap) {
        if (finishedCap != null && finishedCap < 1) throw new IllegalArgumentException("--finished-cap must be at least 1, not " + finishedCap);
        try (var redis = settings.client("tether-setup", 1)) {
            settings.reach(redis);
            RedisMemory.warnIfEvicting(redis, settings.keys(), settings.display(), LOG);
            var shas = run(redis, settings.keys(), finishedCap);
            loadOnEveryOtherNode(settings, redis);
            return shas;
        }
    }

    /**
     * Loads the scripts on the replicas too (behind Sentinel, and on every node of a cluster): Redis 7
     * passes no {@code SCRIPT LOAD} to its replicas, so a replica promoted by a failover would otherwise
     * refuse every role below admin until this step is run again.
     */
    private static void loadOnEveryOtherNode(RedisSettings settings, UnifiedJedis redis) {
        for (var node : settings.otherNodes(redis)) {
            try (var jedis = new redis.clients.jedis.Jedis(node, settings.clientConfig("tether-setup"))) {
                for (var s : Script.all()) jedis.scriptLoad(s.text());
            } catch (redis.clients.jedis.exceptions.JedisConnectionException e) { // a replica that is down: the others still get them
                LOG.warn("could not load Tether's scripts on {} ({}): run 'tether redis setup' again once it is back", node, Text.oneLine(e.getMessage()));
            }
        }
    }

    static Map<String, String> run(UnifiedJedis redis, Keys keys, Integer finishedCap) {
        var out = new LinkedHashMap<String, String>();
        for (var s : Script.all()) {
            s.load(redis, keys.config());
            out.put(s.name(), s.sha());
        }
        if (finishedCap != null) redis.hset(keys.config(), "finished-cap", Integer.toString(finishedCap));
        new RunIndex(redis, keys).backfill();
        return out;
    }

    /** Each script's name and SHA1, without a server (what the ACLs name). */
    public static Map<String, String> shas() {
        var out = new LinkedHashMap<String, String>();
        for (var s : Script.all()) out.put(s.name(), s.sha());
        return out;
    }
}
