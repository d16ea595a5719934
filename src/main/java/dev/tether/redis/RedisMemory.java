package dev.tether.redis;

import redis.clients.jedis.UnifiedJedis;

import java.util.Optional;

/**
 * Redis's memory as Tether depends on it. A server at its {@code maxmemory} either refuses writes
 * ({@code noeviction}: every write is held and retried, nothing is lost) or evicts keys to make room
 * (any other policy): a run's record, its job's stream, a worker's heartbeat or a cancel record could then
 * vanish with no trace, a live worker be taken for lost, a cancel never arrive. The second is a setting to
 * warn about where a long-lived process starts; the first an error to name as what it is, not as lost contact.
 */
public final class RedisMemory {
    private RedisMemory() {
    }

    /**
     * Whether {@code e} is Redis refusing a write because it is at its {@code maxmemory}: {@code OOM ...} from a
     * command, or from a script (Redis 6.2 wraps it: {@code ERR Error running script ...: -OOM command not allowed ...}).
     */
    public static boolean outOfMemory(Throwable e) {
        var m = Connectivity.redisError(e);
        return m != null && m.startsWith("OOM ");
    }

    /** What a refused write says to a person: the server, the reason and the fix. */
    static String refusal(String where) {
        return "Redis at " + where + " is out of memory (its maxmemory is reached) and refuses writes: raise its maxmemory or free memory";
    }

    /**
     * A warning when the server holding the prefix's keys would evict keys once full: a {@code maxmemory}
     * set and a {@code maxmemory-policy} other than {@code noeviction} ({@code INFO memory}, which every
     * role may read). Empty when it would not, or when it does not say.
     */
    static Optional<String> evictionWarning(UnifiedJedis redis, Keys keys, String where) {
        var info = HomeNode.info(redis, keys.config(), "memory");
        String policy = null;
        long max = 0;
        for (var line : info.split("\r?\n")) {
            if (line.startsWith("maxmemory_policy:")) policy = line.substring(17).trim();
            if (line.startsWith("maxmemory:")) {
                try {
                    max = Long.parseLong(line.substring(10).trim());
                } catch (NumberFormatException e) {
                    max = 0;
                }
            }
        }
        if (policy == null || max <= 0 || policy.equals("noeviction")) return Optional.empty();
        return Optional.of("Redis at " + where + " evicts keys once it holds its maxmemory (" + bytes(max) + ", maxmemory-policy "
                + Text.oneLine(policy) + "): a run's record, its job, a worker's heartbeat or a cancel could vanish without a trace; "
                + "set maxmemory-policy noeviction (docs/redis-protocol.md, \"Memory\")");
    }

    private static String bytes(long n) {
        return n >= 1024 * 1024 ? n / (1024 * 1024) + " MiB" : n + " bytes";
    }

    /**
     * Logs {@link #evictionWarning} once, where a long-lived process starts, and returns it (empty when there
     * is none); a server that will not say is not an error.
     */
    static java.util.List<String> warnIfEvicting(UnifiedJedis redis, Keys keys, String where, org.slf4j.Logger log) {
        try {
            var warning = evictionWarning(redis, keys, where);
            warning.ifPresent(log::warn);
            return warning.stream().toList();
        } catch (RuntimeException e) {
            log.debug("could not read Redis's memory settings", e);
            return java.util.List.of();
        }
    }
}
