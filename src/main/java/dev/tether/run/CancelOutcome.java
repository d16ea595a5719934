package dev.tether.run;

/** What a cancel request found. */
public enum CancelOutcome {
    /** The run was queued: it will never start and is already CANCELLED. */
    CANCELLED_BEFORE_START,
    /** The run is running: it is now CANCELLING and will end CANCELLED (or STUCK after the grace). */
    CANCELLING,
    /** A cancel was already under way. */
    ALREADY_CANCELLING,
    /** The run had already ended; nothing changed. */
    ALREADY_FINISHED,
    UNKNOWN_RUN
}
