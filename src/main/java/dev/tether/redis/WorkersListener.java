package dev.tether.redis;

/** Told after each read of the live workers (every 250 ms in a live view): {@link RedisView#onWorkersRead}. */
@FunctionalInterface
public interface WorkersListener {
    /** @param live the names of the workers whose heartbeat the read found; @param readStartedNanos System.nanoTime() before it */
    void read(java.util.Set<String> live, long readStartedNanos);
}
