package dev.tether.engine;

import java.time.Duration;
import java.util.List;

/**
 * What {@link RunEngine#shutdown} achieved.
 *
 * @param cancelled runs a cancel was sent to
 * @param notStopped ids of runs whose threads were still alive at the deadline
 */
public record ShutdownReport(int cancelled, List<String> notStopped, Duration took) {
    public boolean clean() {
        return notStopped.isEmpty();
    }
}
