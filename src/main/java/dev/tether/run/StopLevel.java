package dev.tether.run;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * How hard a cancel stops a run. Each level includes the ones before it; a run already being
 * cancelled can be escalated, never softened.
 */
public enum StopLevel {
    /** Stop at the next node boundary; the node in progress is neither interrupted nor told. */
    AFTER_NODE("after-node"),
    /** The default: boundary, interrupt of the run's thread, and the run's cancellation token. */
    CANCEL("cancel"),
    /**
     * Process isolation only: destroy the run's child JVM and every process it started, now. In
     * thread mode there is nothing to destroy, so it acts as {@link #CANCEL}.
     */
    KILL("kill");

    private final String label;

    StopLevel(String label) {
        this.label = label;
    }

    /** The name used on the command line, in the API and in every record (JSON): after-node, cancel, kill. */
    @JsonValue
    public String label() {
        return label;
    }

    /** Accepts the label or the constant's name, any case; also 1, 2, 3. */
    public static StopLevel parse(String text) {
        if (text == null || text.isBlank()) return CANCEL;
        var t = text.trim().toLowerCase(Locale.ROOT);
        for (var level : values()) {
            if (level.label.equals(t) || level.name().toLowerCase(Locale.ROOT).equals(t)
                    || Integer.toString(level.ordinal() + 1).equals(t)) return level;
        }
        throw new IllegalArgumentException("unknown stop level '" + text + "' (after-node, cancel or kill)");
    }

    /**
     * A level as records carry it; text this version does not know (a newer writer's) is null, so
     * the rest of the record still reads.
     */
    @JsonCreator
    public static StopLevel fromRecord(String text) {
        if (text == null || text.isBlank()) return null;
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether this level is stronger than {@code other} (anything is stronger than no level). */
    public boolean strongerThan(StopLevel other) {
        return other == null || compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return label;
    }
}
