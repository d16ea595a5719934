package dev.tether.run;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Run ids are time-ordered UUIDs (version 7): they sort by submission time in listings and Redis
 * keys, and the same string is the run's LangGraph4j thread id.
 */
public final class RunIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunIds() {}

    public static String next() {
        long millis = System.currentTimeMillis();
        long randA = RANDOM.nextLong();
        long randB = RANDOM.nextLong();
        long msb = (millis << 16) | 0x7000L | (randA & 0x0FFFL);
        long lsb = (randB & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
