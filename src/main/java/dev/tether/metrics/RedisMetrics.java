package dev.tether.metrics;

import dev.tether.redis.RedisHealth;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.TimeUnit;

/** A process's contact with Redis: its regular round trips and how often contact came back. */
public final class RedisMetrics {
    private RedisMetrics() {}

    public static void bind(MeterRegistry meters, RedisHealth health, String worker) {
        var w = worker == null ? "none" : worker;
        FunctionTimer.builder("tether.redis.round.trip", health, RedisHealth::roundTrips, RedisHealth::roundTripSeconds, TimeUnit.SECONDS)
                .description("Regular Redis commands, send to answer: a worker's heartbeat, a view's read of the live workers")
                .tag("worker", w).register(meters);
        Gauge.builder("tether.redis.round.trip.last", health, RedisHealth::lastRoundTripSeconds)
                .description("The latest regular Redis round trip").baseUnit("seconds").tag("worker", w).register(meters);
        FunctionCounter.builder("tether.redis.reconnects", health, RedisHealth::reconnects)
                .description("Times contact with Redis came back after it was lost").tag("worker", w).register(meters);
    }
}
