package dev.tether.soak;

import java.util.Random;

/**
 * SIGKILL of redis-server and a start on the same port after a short outage: with its data (the
 * append-only file keeps every write) or without (the file removed first: queued runs are gone, and
 * views must say so; workers recreate their groups and rewrite their runs).
 */
final class RedisRestartFault implements Fault {
    private final SoakRedis redis;
    private final boolean keepData;

    RedisRestartFault(SoakRedis redis, boolean keepData) {
        this.redis = redis;
        this.keepData = keepData;
    }

    @Override
    public String kind() {
        return keepData ? "redis-restart-aof" : "redis-restart-empty";
    }

    @Override
    public String inject(Random random) throws Exception {
        long down = 300 + random.nextInt(2_500);
        long pid = redis.pid();
        redis.kill9();
        if (!keepData) redis.wipe();
        Thread.sleep(down);
        redis.startAgain();
        return "SIGKILL redis-server " + pid + ", down " + down + " ms, back " + (keepData ? "with its data" : "empty") + " as " + redis.pid();
    }
}
