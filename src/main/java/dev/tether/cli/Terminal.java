package dev.tether.cli;

/**
 * Text from nodes, plugins or Redis on its way to a terminal: control characters (escape sequences
 * that could recolour, retitle or rewrite the screen), C1 controls and bidirectional overrides are
 * replaced by '?', so what is printed is exactly what is seen. JSON output needs none of this:
 * Jackson escapes control characters itself.
 */
final class Terminal {
    private Terminal() {}

    static String safe(Object value) {
        if (value == null) return null;
        var s = value.toString();
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (unsafe(c)) {
                if (out == null) out = new StringBuilder(s.length()).append(s, 0, i);
                out.append(c == '\t' ? ' ' : '?');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u2028' || c == '\u2029' || c == '\u200e' || c == '\u200f';
    }
}
