package dev.tether.soak;

import java.time.Duration;

/**
 * How long and how hard one mode is soaked. {@code soak.minutes} is the length of the whole suite
 * (all three modes): 1 inside {@code mvn -B verify}, 10 with {@code -Psoak}; each mode gets its
 * share of it as load, then as much time as its runs need to end. {@code soak.seed} replays a run's
 * random choices (the report prints the seed it used).
 *
 * @param load            how long runs are submitted and faults injected
 * @param submitsPerSecond the steady submit rate
 * @param steadyTail      the end of the load, after the last fault: the owner processes then running
 *                        serve enough runs that anything they leak per run shows at the end
 */
record SoakConfig(String mode, Duration load, double submitsPerSecond, long seed, Duration steadyTail) {

    static final Duration SAMPLE_EVERY = Duration.ofSeconds(2);
    static final Duration HEAP_EVERY = Duration.ofSeconds(6);
    /**
     * Once the load stopped, how long the set of active runs may stay the same before they count as
     * never ending: the longest run of the mix takes a few seconds, a cancel's grace 2 s; this is many
     * times that. A backlog still draining changes the set and is waited for, up to the cap.
     */
    static final Duration SETTLE_STILL = Duration.ofSeconds(60);
    static final Duration SETTLE_CAP = Duration.ofMinutes(15);

    /**
     * @param share this mode's part of the suite's length (the three shares add up to under 1: the
     *              rest is start-up, settling and accounting)
     */
    static SoakConfig of(String mode, double share, double submitsPerSecond) {
        double minutes = Double.parseDouble(System.getProperty("soak.minutes", "1"));
        var load = Duration.ofMillis(Math.round(minutes * 60_000 * share));
        long seed = Long.getLong("soak.seed", System.nanoTime());
        return new SoakConfig(mode, load, submitsPerSecond, seed, Duration.ofMillis(Math.max(8_000, load.toMillis() / 4)));
    }

    boolean isLong() {
        return load.compareTo(Duration.ofMinutes(1)) > 0;
    }
}
