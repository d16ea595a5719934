package dev.tether.graphs;

import dev.tether.api.Cancellation;
import dev.tether.api.Inputs;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Stand-in for slow I/O (an LLM call, a web request) that honours cancellation within milliseconds. */
final class SimulatedWork {
    private SimulatedWork() {}

    /** Sleeps {@code nodeMillis} ± {@code jitter} (a fraction) from the run's input. */
    static void pause(Map<String, Object> state, long defaultMillis) {
        long base = Inputs.longOf(state, "nodeMillis", defaultMillis);
        double jitter = Math.clamp(Inputs.doubleOf(state, "jitter", 0.3), 0.0, 1.0);
        double factor = 1.0 + (ThreadLocalRandom.current().nextDouble() * 2 - 1) * jitter;
        Cancellation.current().sleep(Duration.ofMillis(Math.max(0, Math.round(base * factor))));
    }
}
