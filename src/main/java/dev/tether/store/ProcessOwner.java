package dev.tether.store;

/**
 * The process that runs a run: its pid and the instant it started. A pid alone is not enough: pids
 * are reused, and two live processes (the console and {@code serve}) may share the store.
 *
 * @param startMillis the process's start (epoch ms), or null where the platform does not tell
 */
public record ProcessOwner(long pid, Long startMillis) {
    private static final ProcessOwner CURRENT = of(ProcessHandle.current());

    public static ProcessOwner current() {
        return CURRENT;
    }

    static ProcessOwner of(ProcessHandle h) {
        return new ProcessOwner(h.pid(), h.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(null));
    }

    /**
     * Whether this very process still runs (not merely some process with its pid): a killed one that
     * its parent has not reaped yet (a zombie) does not.
     */
    public boolean isAlive() {
        return dev.tether.engine.process.ProcessLiveness.isRunning(pid, startMillis);
    }
}
