package dev.tether.testing;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

import java.time.Duration;

/**
 * How long a test waits for what must happen before it calls it a hang. These bounds are hang
 * detectors, not promises about speed. The suite must pass on a 2-core machine shared with other
 * builds, where load averages of 10-25 are usual: a thread there can go without a core for seconds,
 * and a JVM took over 30 s to start. How fast a thing happens is a benchmark's to measure (figures
 * in BENCHMARKS.md); a test asserts that it happens, in the right order, and that nothing happens
 * that must not. A wait that reaches one of these bounds means the thing awaited is not coming.
 */
public final class Hang {
    /** For what this JVM does by itself (a state change, a pulse, a thread that ends): milliseconds when idle. */
    public static final long IN_PROCESS_SECONDS = 60;
    public static final Duration IN_PROCESS = Duration.ofSeconds(IN_PROCESS_SECONDS);
    /** For what other processes do (start, handle a signal, notice a fault, exit): seconds when idle. */
    public static final long ACROSS_PROCESSES_SECONDS = 180;
    public static final Duration ACROSS_PROCESSES = Duration.ofSeconds(ACROSS_PROCESSES_SECONDS);

    private Hang() {
    }

    /** An Awaitility wait for something this JVM does, bounded by {@link #IN_PROCESS} only. */
    public static ConditionFactory eventually() {
        return Awaitility.await().atMost(IN_PROCESS);
    }

    public static ConditionFactory eventually(String what) {
        return Awaitility.await(what).atMost(IN_PROCESS);
    }

    /** An Awaitility wait for something other processes do, bounded by {@link #ACROSS_PROCESSES} only. */
    public static ConditionFactory eventuallyAcrossProcesses() {
        return Awaitility.await().atMost(ACROSS_PROCESSES);
    }

    public static ConditionFactory eventuallyAcrossProcesses(String what) {
        return Awaitility.await(what).atMost(ACROSS_PROCESSES);
    }
}
