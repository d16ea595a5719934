package dev.tether.engine;

/**
 * How one run came out of a bulk cancel ("Cancel all", "Cancel selected", {@code cancel-all}): what
 * an operator needs to trust the stop, rather than a count of cancels sent.
 */
public enum StopOutcome {
    /** It stopped by itself at the cancel: CANCELLED, its thread and node futures done (with its latency). */
    STOPPED_CLEANLY,
    /** It was stopped by destroying its process (and every process it started): CANCELLED, forced. */
    FORCED,
    /** It has not stopped: STUCK (ignored the cancel past its grace), or still stopping when the wait ended. */
    STILL_RUNNING,
    /** It had ended before the cancel could change anything (completed, failed, lost or cancelled already). */
    ALREADY_FINISHED
}
