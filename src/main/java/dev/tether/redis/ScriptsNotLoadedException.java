package dev.tether.redis;

/**
 * A Tether script is not in the server's script cache and this Redis user may not load it (roles below
 * admin never run Lua of their own): the operator has to run the admin step. Also after a Redis 7
 * restart, which empties the cache.
 */
public final class ScriptsNotLoadedException extends IllegalStateException {
    ScriptsNotLoadedException(Script script) {
        super("Tether's Redis script " + script.name() + " is not loaded and this Redis user may not load it: "
                + "run 'tether redis setup' as the Redis admin user (docs/redis-protocol.md, roles)");
    }
}
