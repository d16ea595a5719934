package dev.tether.run;

import java.util.Objects;

/**
 * One request to stop a run, as it travels from whoever asked (a person at the console, the command
 * line, the API, a shutdown, a signal, a run policy) to the engine that holds the run: how hard
 * ({@link StopLevel}), at whose request ({@link CancelOrigin}), what happens to its checkpoints
 * ({@link CancelMode}) and, for a stop no person asked for, why (the limit it broke). The run's
 * record keeps the level, the origin and the reason.
 *
 * @param level  how hard; a stronger level escalates a cancel under way, a softer one changes nothing
 * @param origin who asked; null when not said (an older client, the engine's own housekeeping)
 * @param mode   keep the checkpoints for a resume, or discard them once the run has stopped
 * @param reason why, in a few words (e.g. {@code max-runtime 10m}); null for a person's cancel
 */
public record CancelRequest(StopLevel level, CancelOrigin origin, CancelMode mode, String reason) {
    /** The plain cancel: level cancel, nobody said who asked, checkpoints kept. */
    public static final CancelRequest DEFAULT = new CancelRequest(StopLevel.CANCEL, null, CancelMode.INTERRUPT, null);

    /** Longer reasons are cut: a reason is a label in a table, not a report. */
    static final int MAX_REASON = 200;

    public CancelRequest {
        level = Objects.requireNonNullElse(level, StopLevel.CANCEL);
        mode = Objects.requireNonNullElse(mode, CancelMode.INTERRUPT);
        if (reason != null) {
            reason = reason.strip();
            if (reason.isEmpty()) reason = null;
            else if (reason.length() > MAX_REASON) reason = reason.substring(0, MAX_REASON);
        }
    }

    /** The default cancel, asked for by {@code origin}. */
    public static CancelRequest by(CancelOrigin origin) {
        return new CancelRequest(StopLevel.CANCEL, origin, CancelMode.INTERRUPT, null);
    }

    /** A cancel at {@code level}, asked for by nobody in particular. */
    public static CancelRequest of(StopLevel level) {
        return new CancelRequest(level, null, CancelMode.INTERRUPT, null);
    }

    public CancelRequest at(StopLevel level) {
        return new CancelRequest(level, origin, mode, reason);
    }

    public CancelRequest withOrigin(CancelOrigin origin) {
        return new CancelRequest(level, origin, mode, reason);
    }

    public CancelRequest withMode(CancelMode mode) {
        return new CancelRequest(level, origin, mode, reason);
    }

    public CancelRequest because(String reason) {
        return new CancelRequest(level, origin, mode, reason);
    }
}
