package dev.tether.soak;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Process isolation (each run in a child JVM of {@code serve}) under steady load and repeated
 * faults: SIGKILL of child JVMs and of serve (reaped at once, and left a zombie), a full disk under
 * the store. Every run ends, none is STUCK (a kill always works), each node runs at most once, no
 * child JVM outlives its serve, and nothing grows.
 */
@Tag("process")
class ProcessModeSoakIT {
    @Test
    void everyRunIsAccountedForAndNothingGrowsUnderRepeatedFaults() throws Exception {
        new EmbeddedSoak(SoakConfig.of("process", 0.25, 3), true, 3).run();
    }
}
