package dev.tether.soak;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The distributed mode, two real workers on a real redis-server, under steady load and repeated
 * faults: workers killed, Redis restarted with and without its data, connection-kill storms,
 * SCRIPT FLUSH, stalls. Every run ends, runs each node at most once, nothing stays pending in Redis,
 * and nothing grows.
 */
@Tag("process")
class RedisModeSoakIT {
    @Test
    void everyRunIsAccountedForNothingIsLeftInRedisAndNothingGrowsUnderRepeatedFaults() throws Exception {
        new RedisSoak(SoakConfig.of("redis", 0.35, 8)).run();
    }
}
