package dev.tether.logging;

/**
 * Text from outside (a child JVM's output, what a misbehaving peer sent) on its way into a log line or
 * an error message: C0 and C1 control characters (escape sequences that recolour, retitle or rewrite a
 * terminal or a log viewer), DEL, line and paragraph separators and bidirectional controls (which
 * reorder what is shown) are replaced by '?', a tab by a space, and the text is clipped.
 */
public final class SafeText {
    private SafeText() {}

    /** One line of at most {@code max} characters (then "...", and how much more there was). */
    public static String line(String s, int max) {
        if (s == null) return "null";
        var out = new StringBuilder(Math.min(s.length(), max) + 16);
        int n = Math.min(s.length(), max);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            out.append(c == '\t' ? ' ' : unsafe(c) ? '?' : c);
        }
        if (s.length() > max) out.append("...(").append(s.length() - max).append(" more)");
        return out.toString();
    }

    /** Like {@link #line} but keeps line breaks and tabs (a stack trace). */
    public static String lines(String s, int max) {
        if (s == null) return null;
        var out = new StringBuilder(Math.min(s.length(), max) + 16);
        int n = Math.min(s.length(), max);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            out.append(c == '\n' || c == '\t' ? c : unsafe(c) ? '?' : c);
        }
        if (s.length() > max) out.append("...(").append(s.length() - max).append(" more)");
        return out.toString();
    }

    public static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || c == '\u061c' || c == '\u200e' || c == '\u200f'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u2028' || c == '\u2029';
    }
}
