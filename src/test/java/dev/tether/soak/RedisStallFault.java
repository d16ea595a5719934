package dev.tether.soak;

import java.util.Random;

/**
 * Redis stops answering for a few seconds with every connection open: DEBUG SLEEP (the server
 * busy), or SIGSTOP of the process (as a paused VM), turn by turn. Nobody healthy may be declared lost.
 */
final class RedisStallFault implements Fault {
    private final SoakRedis redis;
    private int injected;

    RedisStallFault(SoakRedis redis) {
        this.redis = redis;
    }

    @Override
    public String kind() {
        return "redis-stall";
    }

    @Override
    public String inject(Random random) throws Exception {
        int seconds = 2 + random.nextInt(3);
        if (injected++ % 2 == 0) {
            try (var admin = redis.admin()) {
                SoakRedis.command(admin, "DEBUG", "SLEEP", Integer.toString(seconds));
            }
            return "DEBUG SLEEP " + seconds;
        }
        ProcFs.signal(redis.pid(), "STOP");
        try {
            Thread.sleep(seconds * 1_000L);
        } finally {
            ProcFs.signal(redis.pid(), "CONT");
        }
        return "SIGSTOP redis-server for " + seconds + " s";
    }
}
