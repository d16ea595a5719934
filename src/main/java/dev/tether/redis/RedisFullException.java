package dev.tether.redis;

/** Redis refused a write: it holds its {@code maxmemory}. The message names the server and the fix. */
public class RedisFullException extends RuntimeException {
    public RedisFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
