package dev.tether.control;

/** A control request that could not be served; {@link #kind} decides the command line's exit code. */
public final class ControlException extends RuntimeException {
    public enum Kind {
        /** Malformed request or input (exit 2). */
        BAD_INPUT,
        /** No such run (exit 3). */
        UNKNOWN_RUN,
        /** Nothing to talk to: no instance, a stale control file, a refused token, a dead connection (exit 4). */
        UNREACHABLE,
        /** The instance answered with an error it did not explain. */
        SERVER_ERROR,
        /** The run cannot be resumed as asked: still active, or no (readable) checkpoint there (exit 6). */
        NOT_RESUMABLE
    }

    private final Kind kind;

    public ControlException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ControlException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
