package dev.tether.console;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** How times read in the console: runtimes as h:mm:ss, short latencies in ms, instants local. */
public final class Formats {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter FULL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private Formats() {}

    /** h:mm:ss, as the runtime column ticks. */
    public static String hms(Duration d) {
        if (d == null) return "";
        long s = Math.max(0, d.toSeconds());
        return String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    /** A duration as a person compares them: "850 ms", "12.4 s", "3:05:07". */
    public static String span(Duration d) {
        if (d == null) return "";
        long ms = d.toMillis();
        if (ms < 1) return String.format("%.2f ms", d.toNanos() / 1e6);
        if (ms < 1_000) return ms + " ms";
        if (ms < 60_000) return String.format("%.1f s", ms / 1000.0);
        return hms(d);
    }

    public static String clock(Instant t) {
        return t == null ? "" : CLOCK.format(t);
    }

    /** A moment that may be days ago: date and time of day, in this machine's zone. */
    public static String dated(Instant t) {
        return t == null ? "" : DATED.format(t);
    }

    /**
     * A moment as short as it can be told apart from its neighbours in a list of recent ones: the
     * time of day today, month, day and minute this year, the date before.
     */
    public static String recent(Instant t, Instant now) {
        if (t == null) return "";
        var zone = ZoneId.systemDefault();
        var day = t.atZone(zone).toLocalDate();
        var today = now.atZone(zone).toLocalDate();
        if (day.equals(today)) return CLOCK.format(t);
        if (day.getYear() == today.getYear()) return MONTH_DAY.format(t);
        return YEAR.format(t);
    }

    private static final DateTimeFormatter MONTH_DAY = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter YEAR = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneId.systemDefault());

    private static final java.time.format.DateTimeFormatter DATED =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(java.time.ZoneId.systemDefault());

    public static String full(Instant t) {
        return t == null ? "" : FULL.format(t);
    }

    /** {@code text} of at most {@code max} characters, its end cut ("redis-sentinel://10.0.0.11:2637…"). */
    public static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    public static String orDash(Object o) {
        return o == null ? "—" : o.toString();
    }

    /** A size as people read it: 812 B, 3.4 KiB, 1.2 MiB. */
    public static String bytes(long n) {
        if (n < 1024) return n + " B";
        if (n < 1024 * 1024) return String.format(java.util.Locale.ROOT, "%.1f KiB", n / 1024.0);
        return String.format(java.util.Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }

    /** Who asked for a stop, as an operator reads it. */
    static String origin(dev.tether.run.CancelOrigin origin) {
        return switch (origin) {
            case CONSOLE -> "console";
            case CLI -> "command line";
            case API -> "control API";
            case SHUTDOWN -> "shutdown";
            case SIGNAL -> "signal (SIGINT/SIGTERM)";
            case DEADLINE -> "policy: max-runtime";
            case NODE_DEADLINE -> "policy: max-node-time";
            case STEP_LIMIT -> "policy: max-steps";
            case EXPIRED -> "policy: max-queued";
        };
    }
}
