package dev.tether.engine;

import java.util.Locale;

/** Where a run executes: on a slot thread of this JVM, or in a child JVM that can be destroyed. */
public enum Isolation {
    THREAD, PROCESS;

    public static Isolation parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown isolation '" + text + "' (thread or process)");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return label();
    }
}
