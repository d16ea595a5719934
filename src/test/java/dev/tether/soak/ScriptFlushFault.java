package dev.tether.soak;

import java.util.Random;

/** SCRIPT FLUSH a few times in a row: every client meets NOSCRIPT and must load its scripts again. */
final class ScriptFlushFault implements Fault {
    private final SoakRedis redis;

    ScriptFlushFault(SoakRedis redis) {
        this.redis = redis;
    }

    @Override
    public String kind() {
        return "script-flush";
    }

    @Override
    public String inject(Random random) throws Exception {
        try (var admin = redis.admin()) {
            for (int i = 0; i < 3; i++) {
                SoakRedis.command(admin, "SCRIPT", "FLUSH");
                Thread.sleep(200 + random.nextInt(600));
            }
        }
        return "SCRIPT FLUSH x3";
    }
}
