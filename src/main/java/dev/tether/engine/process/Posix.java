package dev.tether.engine.process;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The few Linux calls process isolation needs and the JDK does not offer, through the FFM API:
 * becoming a child subreaper (orphans of the run's processes stay in the child's tree instead of
 * going to init), a session of its own (one process group to sweep), signals other than
 * SIGTERM/SIGKILL (SIGSTOP freezes a tree being killed) and reaping an adopted orphan. Anywhere they
 * are not available (another OS, native access denied) each call does nothing and says so: the tree
 * walk of {@link ProcessTree} still works, without its guarantees for re-parented processes.
 */
public final class Posix {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Posix.class);

    /** Linux numbers (x86-64 and arm64 agree on these). */
    static final int SIGKILL = 9, SIGSTOP = 19;
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int WNOHANG = 1;

    private static final MethodHandle KILL, PRCTL, SETSID, WAITPID;

    static {
        MethodHandle kill = null, prctl = null, setsid = null, waitpid = null;
        if (System.getProperty("os.name", "").startsWith("Linux")) {
            try {
                var linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                kill = linker.downcallHandle(libc.find("kill").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                // prctl(int option, ...) is variadic: the four unsigned longs after the option travel as such
                prctl = linker.downcallHandle(libc.find("prctl").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                        Linker.Option.firstVariadicArg(1));
                setsid = linker.downcallHandle(libc.find("setsid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
                waitpid = linker.downcallHandle(libc.find("waitpid").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            } catch (Throwable e) { // IllegalCallerException when native access is denied, or a libc without a symbol
                LOG.warn("native process calls unavailable ({}); processes re-parented away from a child JVM cannot be"
                        + " found when it is killed", e.toString());
                kill = prctl = setsid = waitpid = null;
            }
        }
        KILL = kill;
        PRCTL = prctl;
        SETSID = setsid;
        WAITPID = waitpid;
    }

    private Posix() {}

    public static boolean available() {
        return KILL != null;
    }

    /** Makes this process the reaper of its descendants' orphans. @return whether it now is */
    public static boolean becomeSubreaper() {
        if (PRCTL == null) return false;
        try {
            return (int) PRCTL.invokeExact(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /** Starts a new session (and process group) led by this process. @return whether it did */
    public static boolean newSession() {
        if (SETSID == null) return false;
        try {
            return (int) SETSID.invokeExact() >= 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /** Sends {@code signal} to one process. @return whether it was delivered */
    static boolean signal(long pid, int signal) {
        if (KILL == null || pid <= 1 || pid > Integer.MAX_VALUE) return false;
        try {
            return (int) KILL.invokeExact((int) pid, signal) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /** Sends {@code signal} to every process of the group {@code pgid}. @return whether any got it */
    static boolean signalGroup(long pgid, int signal) {
        if (KILL == null || pgid <= 1 || pgid > Integer.MAX_VALUE) return false;
        try {
            return (int) KILL.invokeExact((int) -pgid, signal) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /** Collects the exit of a child of this process that has ended (no wait). @return whether it was reaped */
    static boolean reap(long pid) {
        if (WAITPID == null || pid <= 1 || pid > Integer.MAX_VALUE) return false;
        try {
            return (int) WAITPID.invokeExact((int) pid, MemorySegment.NULL, WNOHANG) == (int) pid;
        } catch (Throwable e) {
            return false;
        }
    }
}
