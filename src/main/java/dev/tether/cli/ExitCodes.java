package dev.tether.cli;

/** The command line's exit codes; documented in {@code tether --help} and README. */
public final class ExitCodes {
    public static final int OK = 0;
    /** Something failed that none of the codes below explains (a bug, an I/O error): see the message. */
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    public static final int UNKNOWN_RUN = 3;
    public static final int UNREACHABLE = 4;
    public static final int WAIT_TIMED_OUT = 5;
    /** {@code resume}: the run is still active, or has no (readable) checkpoint where asked. */
    public static final int NOT_RESUMABLE = 6;
    /** The Tether home or the plugins folder is not private: another user owns it, or group or others may write in it. */
    public static final int UNSAFE_HOME = 7;

    private ExitCodes() {}
}
