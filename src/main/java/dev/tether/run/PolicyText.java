package dev.tether.run;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/** Policy values as people type and read them: {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d}, plain decimals. */
public final class PolicyText {
    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
    private static final Pattern DECIMAL = Pattern.compile("\\d{1,9}(\\.\\d{1,9})?");

    private PolicyText() {}

    /** @throws IllegalArgumentException with examples of what is accepted */
    public static Duration parseDuration(String text) {
        var t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        var m = SIMPLE.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            if (t.startsWith("pt") || t.startsWith("p")) {
                var d = Duration.parse(t.toUpperCase(Locale.ROOT));
                if (!d.isNegative()) return d;
            }
        } catch (RuntimeException e) {
            // falls through to the one message
        }
        throw new IllegalArgumentException("'" + clip(text) + "' is not a duration (examples: 500ms, 30s, 10m, 2h, 1d)");
    }

    /** A plain decimal such as {@code 2} or {@code 0.25}: no sign, exponent, NaN or infinity. */
    public static double parseNumber(String text) {
        var t = text == null ? "" : text.strip();
        if (!DECIMAL.matcher(t).matches()) throw new IllegalArgumentException("'" + clip(text) + "' is not a plain decimal number (examples: 2, 1.5, 0.1)");
        return new BigDecimal(t).doubleValue();
    }

    /** A duration the way it is typed back: {@code 10m}, {@code 1500ms}. */
    public static String duration(Duration d) {
        long ms = d.toMillis();
        if (ms > 0 && ms % 86_400_000 == 0) return ms / 86_400_000 + "d";
        if (ms > 0 && ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
        if (ms > 0 && ms % 60_000 == 0) return ms / 60_000 + "m";
        if (ms % 1_000 == 0) return ms / 1_000 + "s";
        return ms + "ms";
    }

    /** A number without a trailing {@code .0}. */
    public static String number(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }

    static String clip(String s) {
        if (s == null) return "";
        var one = s.replaceAll("\\p{Cntrl}", "?");
        return one.length() > 60 ? one.substring(0, 60) + "..." : one;
    }
}
