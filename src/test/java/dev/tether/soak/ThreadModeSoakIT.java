package dev.tether.soak;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The embedded engine with runs on threads, behind real {@code serve} processes, under steady load
 * and repeated faults: SIGKILL of serve (reaped at once, and left a zombie beside its successor), a
 * full disk under the store. Every run ends, runs each node at most once, and nothing grows.
 */
@Tag("process")
class ThreadModeSoakIT {
    @Test
    void everyRunIsAccountedForAndNothingGrowsUnderRepeatedFaults() throws Exception {
        new EmbeddedSoak(SoakConfig.of("thread", 0.25, 6), false, 4).run();
    }
}
