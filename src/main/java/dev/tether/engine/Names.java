package dev.tether.engine;

import java.util.regex.Pattern;

/**
 * The one rule for every name that goes into a Redis key: queue names, worker names, run ids and
 * the key prefix. 1 to 64 letters, digits, {@code _ . -}: no {@code :} (it separates the parts of a
 * key, so a worker called {@code w:runs} would be the run set of worker {@code w}), no space or
 * control character, nothing a file name or a command line would read otherwise.
 */
public final class Names {
    public static final int MAX_LENGTH = 64;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_LENGTH + "}");
    /** What the rule allows, as the error and the Submit dialog say it. */
    public static final String RULE = "1-" + MAX_LENGTH + " letters, digits, '_', '-' or '.'";

    private Names() {}

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /**
     * @param what what the name names, as the error says it: "queue", "worker name", "run id"
     * @throws IllegalArgumentException with a one-line reason
     */
    public static String require(String what, String name) {
        if (!isValid(name)) throw new IllegalArgumentException(what + " '" + printable(name) + "' is not valid: use " + RULE);
        return name;
    }

    /** A name made of what it can keep of {@code raw} (a host name, say): invalid characters become '-'. */
    public static String sanitize(String raw) {
        var s = raw == null ? "" : raw.replaceAll("[^A-Za-z0-9_.-]", "-");
        if (s.length() > MAX_LENGTH) s = s.substring(s.length() - MAX_LENGTH); // the end keeps what tells names apart (a pid)
        return s.isEmpty() ? "-" : s;
    }

    private static String printable(String s) {
        if (s == null) return "";
        var cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        var out = new StringBuilder();
        cut.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c));
        return out.toString();
    }
}
