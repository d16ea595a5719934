package dev.tether.run;

/**
 * Who asked for a run to stop: kept with the run, so that its record says not only how long the
 * cancel took but at whose request. A person asks through the console, the command line or the API;
 * the process itself on shutdown or a signal; a run policy when the run broke one of its limits
 * (the run's {@code cancelReason} then names the limit).
 */
public enum CancelOrigin {
    /** A button or menu of the desktop console. */
    CONSOLE,
    /** The {@code tether} command line. */
    CLI,
    /** A direct request to the control API. */
    API,
    /** The process shutting down (window closed, worker leaving). */
    SHUTDOWN,
    /** SIGINT or SIGTERM. */
    SIGNAL,
    /** Its {@code max-runtime} passed: wall clock from its start. */
    DEADLINE,
    /** One node ran longer than its {@code max-node-time}. */
    NODE_DEADLINE,
    /** It was about to start more nodes than its {@code max-steps}: stopped at that node boundary. */
    STEP_LIMIT,
    /** It waited in its queue longer than its {@code max-queued}: it never started. */
    EXPIRED;

    /** Whether a run policy, not a person or the process, asked for this stop. */
    public boolean isPolicy() {
        return switch (this) {
            case DEADLINE, NODE_DEADLINE, STEP_LIMIT, EXPIRED -> true;
            case CONSOLE, CLI, API, SHUTDOWN, SIGNAL -> false;
        };
    }

    /** Reads a name in any case; null, blank or unknown text is null (an older record, a newer writer, an unknown caller). */
    @com.fasterxml.jackson.annotation.JsonCreator
    public static CancelOrigin parse(String text) {
        if (text == null || text.isBlank()) return null;
        try {
            return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
