package dev.tether.redis;

/**
 * Redis answered a command with a refusal (NOREPLICAS, MISCONF, NOPERM, ...): the message names the
 * server and Redis's own error, one line, the same on Redis 6.2 and 7 (neither 6.2's wrapping of a
 * script's error nor the place 7 appends).
 */
public class RedisRefusedException extends RuntimeException {
    public RedisRefusedException(String message, Throwable cause) {
        super(message, cause);
    }

    static RuntimeException of(String display, RuntimeException e) {
        var why = Connectivity.refusal(e);
        return why == null ? e : new RedisRefusedException("Redis at " + display + " refuses: " + why, e);
    }
}
