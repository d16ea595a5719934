package dev.tether.run;

/**
 * Who asked for a run to stop: kept with the run, so that its record says not only how long the
 * cancel took but at whose request.
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
    SIGNAL;

    /** Reads a name in any case; null, blank or unknown text is null (an older record, or an unknown caller). */
    public static CancelOrigin parse(String text) {
        if (text == null || text.isBlank()) return null;
        try {
            return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
