package dev.tether.console;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * Keeps the toolkit's start-up from moving the process environment under other threads.
 *
 * <p>On Linux the JavaFX toolkit edits the C environment from its own threads while it starts: glass
 * puts {@code GDK_BACKEND=x11}, GDK unsets {@code DESKTOP_STARTUP_ID}, and the GTK main loop sets
 * {@code IBUS_ENABLE_SYNC_MODE=1}. glibc's {@code setenv} is not safe against a {@code getenv} on
 * another thread: a variable that is new grows the environment's array with {@code realloc}, and a
 * {@code getenv} walking the old array at that moment reads freed memory. The console starts the
 * toolkit beside the building of its engine, whose thread reads the environment natively (the host
 * name's lookup: the resolver reads {@code LOCALDOMAIN}, {@code RES_OPTIONS}), so the JVM could die
 * with SIGSEGV in {@code getenv} at start-up (seen in the installer build's training launch).
 *
 * <p>Defining those variables before the toolkit's first thread starts turns the toolkit's edits into
 * replacements of a value in place: the array keeps its address, and a concurrent {@code getenv}
 * sees the old value or the new one. A value the user set is kept (the toolkit may still replace it,
 * as it would have). Removing a variable shifts the array in place and never frees it.
 *
 * <p>Tether's launchers export both before the JVM starts, for the console only: then this has
 * nothing to do. Elsewhere (a bare {@code java} command) it defines them through the FFM API, whose
 * first use costs 50-100 ms before the toolkit may start. Unlike the launchers', those definitions
 * are not in Java's copy of the environment, so the processes a run starts do not inherit them.
 */
final class ToolkitEnvironment {
    /** What JavaFX 25's GTK toolkit adds to the environment as it starts, with the values it gives them. */
    static final Map<String, String> ADDED_BY_THE_TOOLKIT = Map.of("GDK_BACKEND", "x11", "IBUS_ENABLE_SYNC_MODE", "1");

    private static boolean settled; // guarded by the class (settle is synchronized)

    private ToolkitEnvironment() {}

    /**
     * Defines each variable the toolkit would add, unless it is set already. Call it before the
     * toolkit's first thread starts, while no other thread reads the environment; calls after the
     * first do nothing. Anywhere but Linux, or without native access, it does nothing and says why.
     */
    static synchronized void settle() {
        if (settled) return;
        settled = true;
        if (!System.getProperty("os.name", "").startsWith("Linux")) return;
        // Java's copy of the environment knows what the process started with: nothing to call when
        // every variable is there (a launcher may export them)
        if (System.getenv().keySet().containsAll(ADDED_BY_THE_TOOLKIT.keySet())) return;
        try {
            var linker = Linker.nativeLinker();
            MethodHandle setenv = linker.downcallHandle(linker.defaultLookup().find("setenv").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            try (var arena = Arena.ofConfined()) { // setenv copies name and value
                for (var v : ADDED_BY_THE_TOOLKIT.entrySet()) {
                    int rc = (int) setenv.invokeExact(arena.allocateFrom(v.getKey()), arena.allocateFrom(v.getValue()), 0);
                    if (rc != 0) log().warn("could not define {} before the toolkit starts", v.getKey());
                }
            }
        } catch (Throwable e) { // IllegalCallerException when native access is denied
            log().warn("could not define the toolkit's environment before it starts ({}); its start-up may race"
                    + " with other threads reading the environment", e.toString());
        }
    }

    // not a constant: the logging set-up stays off the path to the first frame when all goes well
    private static org.slf4j.Logger log() {
        return org.slf4j.LoggerFactory.getLogger(ToolkitEnvironment.class);
    }
}
