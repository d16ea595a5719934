package dev.tether.catalog;

/** One-line descriptions of what a plugin got wrong, safe whatever the plugin's exceptions do. */
final class Problems {
    private Problems() {}

    /** "IllegalStateException: boom", never failing: a plugin's getMessage() may itself throw. */
    static String describe(Throwable t) {
        String message;
        try {
            message = t.getMessage();
        } catch (RuntimeException | LinkageError e) {
            message = "(its message could not be read)";
        }
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + printable(message));
    }

    /** Control characters replaced, clipped to one short line. */
    static String printable(String s) {
        if (s == null) return "null";
        var out = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return out.length() < s.length() ? out + "..." : out.toString();
    }
}
