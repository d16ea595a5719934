package dev.tether.redis;

/** Redis cannot be reached or refused us; the message names the address, never the password. */
public final class RedisUnavailableException extends IllegalStateException {
    public RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    static RedisUnavailableException of(RedisSettings settings, Throwable cause) {
        var m = String.valueOf(cause.getMessage());
        var upper = m.toUpperCase(java.util.Locale.ROOT);
        String why = upper.contains("WRONGPASS") || upper.contains("NOAUTH") || upper.contains("INVALID PASSWORD")
                || upper.contains("AUTH") ? "it refused the credentials (wrong user or password)"
                : "it does not answer (" + cause.getClass().getSimpleName() + ")";
        return new RedisUnavailableException("cannot use Redis at " + settings.display() + ": " + why, cause);
    }
}
