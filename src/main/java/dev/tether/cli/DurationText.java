package dev.tether.cli;

import java.time.Duration;

/** Durations printed back the way they are typed. */
final class DurationText {
    private DurationText() {}

    static String of(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
        if (ms % 1_000 == 0) return ms / 1_000 + "s";
        return ms + "ms";
    }
}
