package dev.tether.engine;

/** What a queue may be called: {@link Names}' one rule for whatever goes into a Redis key. */
public final class QueueNames {
    private QueueNames() {}

    public static boolean isValid(String name) {
        return Names.isValid(name);
    }

    /** @throws IllegalArgumentException with a one-line reason */
    public static String requireValid(String name) {
        return Names.require("queue", name);
    }
}
