package dev.tether.redis;

/** What the metrics read about a process's contact with Redis (counters only grow). */
public interface RedisHealth {
    /** Times contact came back after it was lost. */
    long reconnects();

    /** Regular round trips timed so far (heartbeats of a worker, maintenance reads of a view). */
    long roundTrips();

    /** Their total time. */
    double roundTripSeconds();

    /** The latest one. */
    double lastRoundTripSeconds();
}
