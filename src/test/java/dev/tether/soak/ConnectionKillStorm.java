package dev.tether.soak;

import java.time.Duration;
import java.util.Random;

/** For a few seconds every client connection is killed every 0.3 s, and every pub/sub connection every 1.5 s. */
final class ConnectionKillStorm implements Fault {
    private final SoakRedis redis;
    private final Duration length;

    ConnectionKillStorm(SoakRedis redis, Duration length) {
        this.redis = redis;
        this.length = length;
    }

    @Override
    public String kind() {
        return "connection-kill-storm";
    }

    @Override
    public String inject(Random random) throws Exception {
        int kills = 0;
        long killed = 0;
        try (var admin = redis.admin()) {
            long end = System.nanoTime() + length.toNanos();
            for (int tick = 0; System.nanoTime() < end; tick++) {
                killed += (Long) SoakRedis.command(admin, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
                if (tick % 5 == 0) killed += (Long) SoakRedis.command(admin, "CLIENT", "KILL", "TYPE", "pubsub");
                kills++;
                Thread.sleep(300);
            }
        }
        return kills + " rounds of CLIENT KILL over " + length.toSeconds() + " s, " + killed + " connections killed";
    }
}
