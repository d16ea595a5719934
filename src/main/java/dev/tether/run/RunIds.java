package dev.tether.run;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Run ids are time-ordered UUIDs (version 7): they sort by submission time in listings and Redis
 * keys, and the same string is the run's LangGraph4j thread id.
 */
public final class RunIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The fewest characters of an id that may name a run (the short id's length): shorter parts
     * would match runs nobody meant, and a cancel must never reach another run than the one named.
     */
    public static final int MIN_REFERENCE_LENGTH = 8;
    public static final int FULL_LENGTH = 36;

    private RunIds() {}

    /**
     * Checks what a user typed to name a run: a full id, or at least {@value #MIN_REFERENCE_LENGTH}
     * of its characters (hex digits and dashes); returned in lower case.
     *
     * @throws IllegalArgumentException with a one-line reason
     */
    public static String checkReference(String reference) {
        if (reference == null || reference.isEmpty()) throw new IllegalArgumentException("run id is empty");
        var id = reference.strip().toLowerCase(java.util.Locale.ROOT);
        if (id.length() > FULL_LENGTH || !isIdText(id)) {
            throw new IllegalArgumentException("'" + printable(reference) + "' is not a run id (hex digits and dashes, at most "
                    + FULL_LENGTH + " characters)");
        }
        if (id.length() < MIN_REFERENCE_LENGTH) {
            throw new IllegalArgumentException("run id '" + id + "' is too short: give the full id or at least "
                    + MIN_REFERENCE_LENGTH + " of its characters (the short id)");
        }
        return id;
    }

    /** Only what a run id is made of: lower-case hex digits and dashes. */
    static boolean isIdText(String s) {
        return s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-');
    }

    private static String printable(String s) {
        var cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        var out = new StringBuilder();
        cut.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }

    public static String next() {
        long millis = System.currentTimeMillis();
        long randA = RANDOM.nextLong();
        long randB = RANDOM.nextLong();
        long msb = (millis << 16) | 0x7000L | (randA & 0x0FFFL);
        long lsb = (randB & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
