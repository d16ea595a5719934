package dev.tether.run;

import java.util.Locale;

/**
 * What a cancel does with the run's checkpoints. {@link #INTERRUPT} (the default) keeps them: the
 * run is CANCELLED and can be resumed from any node it completed. {@link #ROLLBACK} discards them
 * once the run has stopped: nothing of it can be resumed.
 */
public enum CancelMode {
    INTERRUPT,
    ROLLBACK;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static CancelMode parse(String text) {
        if (text == null || text.isBlank()) return INTERRUPT;
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown cancel mode '" + text + "' (expected interrupt or rollback)");
        }
    }
}
