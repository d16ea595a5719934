package dev.tether.redis;

/** Text from Redis shown to people or logs: one line, no control characters, bounded. */
final class Text {
    private Text() {}

    static String oneLine(String s) {
        if (s == null) return "null";
        var clean = s.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}]", " ");
        return clean.length() > 200 ? clean.substring(0, 200) + "..." : clean;
    }
}
