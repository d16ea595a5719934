package dev.tether.engine;

import java.util.regex.Pattern;

/** What a queue may be called: safe in a Redis key, a file name and a command line. */
public final class QueueNames {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private QueueNames() {}

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /** @throws IllegalArgumentException with a one-line reason */
    public static String requireValid(String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException("queue '" + name + "' is not valid: use 1-64 letters, digits, '_', '-', '.' or ':'");
        }
        return name;
    }
}
