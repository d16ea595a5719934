package dev.tether.json;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Writes and reads the one instant form Tether uses ({@link Instant#toString()}:
 * {@code 2026-11-26T09:54:17.536756440Z}) without {@code DateTimeFormatter}, several times faster;
 * anything else is left to the standard formatter and parser. Every run snapshot carries a dozen
 * instants, and in distributed mode every state change of every run is written and read as JSON.
 */
final class IsoInstants {
    private static final int[] SCALE = {100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    private static final long YEAR_10000 = 253_402_300_800L; // epoch second of 10000-01-01T00:00:00Z

    private IsoInstants() {}

    /** Exactly {@link Instant#toString()}: fraction in groups of three digits, none when zero. */
    static String format(Instant t) {
        long seconds = t.getEpochSecond();
        if (seconds < 0 || seconds >= YEAR_10000) return t.toString();
        var date = LocalDate.ofEpochDay(seconds / 86_400);
        int ofDay = (int) (seconds % 86_400);
        var c = new char[30];
        put(c, 0, date.getYear(), 4);
        c[4] = '-';
        put(c, 5, date.getMonthValue(), 2);
        c[7] = '-';
        put(c, 8, date.getDayOfMonth(), 2);
        c[10] = 'T';
        put(c, 11, ofDay / 3_600, 2);
        c[13] = ':';
        put(c, 14, ofDay / 60 % 60, 2);
        c[16] = ':';
        put(c, 17, ofDay % 60, 2);
        int n = 19;
        int nano = t.getNano();
        if (nano != 0) {
            c[n++] = '.';
            if (nano % 1_000_000 == 0) n = put(c, n, nano / 1_000_000, 3);
            else if (nano % 1_000 == 0) n = put(c, n, nano / 1_000, 6);
            else n = put(c, n, nano, 9);
        }
        c[n++] = 'Z';
        return new String(c, 0, n);
    }

    private static int put(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }

    /** The instant, or null when {@code s} is not {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with valid fields. */
    static Instant parse(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
        int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null; // includes the leap second 60, which the standard parser knows how to fold
        }
        int nano = 0;
        if (n > 20) {
            int fraction = n - 21;
            if (s.charAt(19) != '.' || fraction < 1) return null;
            int f = digits(s, 20, fraction);
            if (f < 0) return null;
            nano = f * SCALE[fraction - 1];
        }
        try {
            long day0 = LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(day0 * 86_400 + hour * 3_600L + minute * 60L + second, nano);
        } catch (DateTimeException e) {
            return null; // February 30th and the like: the standard parser says what is wrong
        }
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9) return -1;
            v = v * 10 + d;
        }
        return v;
    }
}
