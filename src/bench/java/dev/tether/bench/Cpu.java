package dev.tether.bench;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The CPU the calling thread runs on ({@code sched_getcpu(3)} through the FFM API, tens of
 * nanoseconds): how the cancel benchmark tells a wake-up on the waker's CPU from one on another.
 * -1 where libc has no such function.
 */
final class Cpu {
    private Cpu() {}

    private static final MethodHandle GETCPU = find();

    private static MethodHandle find() {
        try {
            var linker = Linker.nativeLinker();
            return linker.defaultLookup().find("sched_getcpu")
                    .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT), Linker.Option.critical(false)))
                    .orElse(null);
        } catch (RuntimeException | LinkageError e) { // no native access: the placement is just not reported
            return null;
        }
    }

    static boolean known() {
        return GETCPU != null;
    }

    static int now() {
        if (GETCPU == null) return -1;
        try {
            return (int) GETCPU.invokeExact();
        } catch (Throwable t) {
            return -1;
        }
    }
}
