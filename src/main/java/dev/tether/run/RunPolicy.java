package dev.tether.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The limits a run lives under, and what happens when it fails. Every value is optional (null: not
 * set at this level); the levels a policy is given at (the run, its graph and its queue in
 * {@code policies.properties}, the graph's definition) are merged value by value, the most specific
 * winning ({@link #over}), and {@link #sources} says where each value in force came from.
 *
 * @param maxRuntime      wall clock from the start; then the run is stopped as a person's cancel would
 *                        stop it (cancel, after the grace a kill in process isolation, STUCK on a thread)
 * @param maxQueued       a run still waiting this long after it was queued (or its retry fell due) never starts
 * @param maxNodeTime     one node's wall clock; then the run is stopped as for {@code maxRuntime}
 * @param maxSteps        node executions; the one after the last allowed is not started (Tether's own
 *                        stop at the node boundary)
 * @param retries         how many more attempts after a first one that ended in an outcome of {@code retryOn}
 * @param retryDelay      the wait before the first retry
 * @param retryMultiplier each further wait is the previous one times this (at least 1)
 * @param retryMaxDelay   no wait is longer
 * @param retryJitter     each wait is shortened by a random share of up to this (0 to 1), so that
 *                        runs failed together do not retry together
 * @param retryOn         the outcomes that are retried
 * @param retryErrors     for {@link RetryOn#FAILED}: only failures of these exception types (full or
 *                        simple class names) are retried; empty for any
 * @param maxConcurrent   runs of its graph executing at once, across all workers
 * @param queueMaxConcurrent runs of its queue executing at once, across all workers (set per queue)
 * @param sources         for each value set, where it came from (key: its name in {@code policies.properties})
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record RunPolicy(Duration maxRuntime, Duration maxQueued, Duration maxNodeTime, Integer maxSteps,
                        Integer retries, Duration retryDelay, Double retryMultiplier, Duration retryMaxDelay,
                        Double retryJitter, Set<RetryOn> retryOn, List<String> retryErrors, Integer maxConcurrent,
                        Integer queueMaxConcurrent, Map<String, String> sources) {

    /** The outcomes a retry can follow. */
    public enum RetryOn {
        /** The run failed (a node threw); optionally only for some exception types. */
        FAILED,
        /** Its worker or process vanished. */
        LOST,
        /** It was stopped by its max-runtime or max-node-time. */
        DEADLINE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Keys as written in {@code policies.properties}, on the command line ({@code --KEY}) and in the details pane. */
    public static final List<String> KEYS = List.of("max-runtime", "max-queued", "max-node-time", "max-steps", "retries",
            "retry-delay", "retry-multiplier", "retry-max-delay", "retry-jitter", "retry-on", "retry-errors",
            "max-concurrent", "queue-max-concurrent");

    /** Where a value came from, in {@link #sources}. */
    public static final String FROM_RUN = "run", FROM_DEFINITION = "graph definition", FROM_DEFAULT = "default";

    public static final RunPolicy NONE = new RunPolicy(null, null, null, null, null, null, null, null, null, null, null,
            null, null, null);

    public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(1);
    public static final double DEFAULT_RETRY_MULTIPLIER = 2.0;
    public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofMinutes(5);
    public static final double DEFAULT_RETRY_JITTER = 0.1;
    public static final Set<RetryOn> DEFAULT_RETRY_ON = Collections.unmodifiableSet(EnumSet.of(RetryOn.FAILED, RetryOn.LOST));
    /** Attempts of one run at most, whatever a policy says: a retry loop must end. */
    public static final int MAX_RETRIES = 100;

    public RunPolicy {
        positive("max-runtime", maxRuntime);
        positive("max-queued", maxQueued);
        positive("max-node-time", maxNodeTime);
        if (maxSteps != null && maxSteps < 1) throw new IllegalArgumentException("max-steps must be at least 1, got " + maxSteps);
        if (retries != null && (retries < 0 || retries > MAX_RETRIES)) {
            throw new IllegalArgumentException("retries must be 0 to " + MAX_RETRIES + ", got " + retries);
        }
        if (retryDelay != null && retryDelay.isNegative()) throw new IllegalArgumentException("retry-delay must not be negative");
        if (retryMultiplier != null && !(retryMultiplier >= 1 && retryMultiplier <= 100)) {
            throw new IllegalArgumentException("retry-multiplier must be 1 to 100, got " + retryMultiplier);
        }
        if (retryMaxDelay != null && retryMaxDelay.isNegative()) throw new IllegalArgumentException("retry-max-delay must not be negative");
        if (retryJitter != null && !(retryJitter >= 0 && retryJitter <= 1)) {
            throw new IllegalArgumentException("retry-jitter must be 0 to 1, got " + retryJitter);
        }
        retryOn = retryOn == null || retryOn.isEmpty() ? null : Collections.unmodifiableSet(EnumSet.copyOf(retryOn));
        retryErrors = retryErrors == null || retryErrors.isEmpty() ? null : List.copyOf(retryErrors);
        if (maxConcurrent != null && maxConcurrent < 1) throw new IllegalArgumentException("max-concurrent must be at least 1, got " + maxConcurrent);
        if (queueMaxConcurrent != null && queueMaxConcurrent < 1) {
            throw new IllegalArgumentException("queue max-concurrent must be at least 1, got " + queueMaxConcurrent);
        }
        sources = sources == null || sources.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(sources));
    }

    private static void positive(String key, Duration d) {
        if (d != null && (d.isNegative() || d.isZero())) throw new IllegalArgumentException(key + " must be more than 0, got " + d);
    }

    /** Whether nothing is set. */
    @JsonIgnore
    public boolean isEmpty() {
        return values().isEmpty();
    }

    /**
     * This policy where it sets a value, {@code fallback} where it does not: the more specific level
     * is this one. Sources follow their values.
     */
    public RunPolicy over(RunPolicy fallback) {
        if (fallback == null || fallback.isEmpty()) return this;
        if (isEmpty()) return fallback;
        var sources = new LinkedHashMap<>(fallback.sources);
        for (var key : values().keySet()) sources.put(key, this.sources.getOrDefault(key, FROM_RUN));
        for (var key : fallback.values().keySet()) sources.putIfAbsent(key, FROM_DEFAULT);
        return new RunPolicy(or(maxRuntime, fallback.maxRuntime), or(maxQueued, fallback.maxQueued),
                or(maxNodeTime, fallback.maxNodeTime), or(maxSteps, fallback.maxSteps), or(retries, fallback.retries),
                or(retryDelay, fallback.retryDelay), or(retryMultiplier, fallback.retryMultiplier),
                or(retryMaxDelay, fallback.retryMaxDelay), or(retryJitter, fallback.retryJitter), or(retryOn, fallback.retryOn),
                or(retryErrors, fallback.retryErrors), or(maxConcurrent, fallback.maxConcurrent),
                or(queueMaxConcurrent, fallback.queueMaxConcurrent), sources);
    }

    private static <T> T or(T a, T b) {
        return a != null ? a : b;
    }

    /** The same values, every one of them said to come from {@code source}. */
    public RunPolicy from(String source) {
        var s = new LinkedHashMap<String, String>();
        for (var key : values().keySet()) s.put(key, source);
        return withSources(s);
    }

    private RunPolicy withSources(Map<String, String> s) {
        return new RunPolicy(maxRuntime, maxQueued, maxNodeTime, maxSteps, retries, retryDelay, retryMultiplier, retryMaxDelay,
                retryJitter, retryOn, retryErrors, maxConcurrent, queueMaxConcurrent, s);
    }

    /** Only the limits of the run itself: a value that is not its own (a graph's or a queue's concurrency) is left out. */
    public RunPolicy withoutConcurrency() {
        var s = new LinkedHashMap<>(sources);
        s.remove("max-concurrent");
        s.remove("queue-max-concurrent");
        return new RunPolicy(maxRuntime, maxQueued, maxNodeTime, maxSteps, retries, retryDelay, retryMultiplier, retryMaxDelay,
                retryJitter, retryOn, retryErrors, null, null, s);
    }

    /** The same values without a queue's limit (a graph's definition cannot set one for its queue). */
    public RunPolicy withoutQueueLimit() {
        if (queueMaxConcurrent == null) return this;
        var s = new LinkedHashMap<>(sources);
        s.remove("queue-max-concurrent");
        return new RunPolicy(maxRuntime, maxQueued, maxNodeTime, maxSteps, retries, retryDelay, retryMultiplier, retryMaxDelay,
                retryJitter, retryOn, retryErrors, maxConcurrent, null, s);
    }

    /** The values set, by key, in {@link #KEYS} order, as text ({@code 10m}, {@code 3}, {@code failed,lost}). */
    public Map<String, String> values() {
        var m = new LinkedHashMap<String, String>();
        put(m, "max-runtime", maxRuntime);
        put(m, "max-queued", maxQueued);
        put(m, "max-node-time", maxNodeTime);
        put(m, "max-steps", maxSteps);
        put(m, "retries", retries);
        put(m, "retry-delay", retryDelay);
        put(m, "retry-multiplier", retryMultiplier);
        put(m, "retry-max-delay", retryMaxDelay);
        put(m, "retry-jitter", retryJitter);
        if (retryOn != null) m.put("retry-on", String.join(",", retryOn.stream().map(RetryOn::label).toList()));
        if (retryErrors != null) m.put("retry-errors", String.join(",", retryErrors));
        put(m, "max-concurrent", maxConcurrent);
        put(m, "queue-max-concurrent", queueMaxConcurrent);
        return m;
    }

    private static void put(Map<String, String> m, String key, Object value) {
        if (value == null) return;
        m.put(key, value instanceof Duration d ? PolicyText.duration(d) : value instanceof Double x ? PolicyText.number(x) : value.toString());
    }

    /** One value of {@link #KEYS} from text, as in {@code policies.properties} and on the command line. */
    public static RunPolicy of(String key, String text) {
        var b = new Builder();
        b.set(key, text);
        return b.build();
    }

    /**
     * A run's own policy, as a submit gives it: any key but a graph's or queue's concurrency, which is
     * not one run's to set.
     */
    public static RunPolicy ofRun(Map<String, String> values) {
        for (var key : values.keySet()) {
            var k = key == null ? "" : key.strip().toLowerCase(Locale.ROOT);
            if (k.equals("max-concurrent") || k.equals("queue-max-concurrent")) {
                throw new IllegalArgumentException(k + " is set per graph or queue (policies.properties or the graph's definition), not per run");
            }
        }
        return of(values);
    }

    /** Reads {@code key = value} pairs (keys of {@link #KEYS}); a bad key or value is an error naming it. */
    public static RunPolicy of(Map<String, String> values) {
        var b = new Builder();
        values.forEach(b::set);
        return b.build();
    }

    // ---- what the engine asks

    /** Attempts in all (the first and its retries). */
    @JsonIgnore
    public int attempts() {
        return 1 + (retries == null ? 0 : retries);
    }

    /** The outcomes retried: as set, or failed and lost by default. */
    @JsonIgnore
    public Set<RetryOn> retriedOutcomes() {
        return retryOn != null ? retryOn : DEFAULT_RETRY_ON;
    }

    /**
     * The wait before attempt {@code next} (2 for the first retry): the delay times the multiplier to
     * the power of the retries before it, at most the max delay, less a random share of up to the
     * jitter ({@code random} in [0, 1)).
     */
    public Duration backoff(int next, double random) {
        var delay = retryDelay != null ? retryDelay : DEFAULT_RETRY_DELAY;
        double multiplier = retryMultiplier != null ? retryMultiplier : DEFAULT_RETRY_MULTIPLIER;
        var max = retryMaxDelay != null ? retryMaxDelay : DEFAULT_RETRY_MAX_DELAY;
        double jitter = retryJitter != null ? retryJitter : DEFAULT_RETRY_JITTER;
        double millis = delay.toMillis() * Math.pow(multiplier, Math.max(0, next - 2));
        millis = Math.min(millis, max.toMillis());
        millis -= millis * jitter * Math.max(0, Math.min(1, random));
        return Duration.ofMillis(Math.max(0, Math.round(millis)));
    }

    /** Whether a failure of this exception type (a full class name) is one to retry. */
    public boolean retriesError(String type) {
        if (retryErrors == null) return true;
        if (type == null) return false;
        var simple = type.substring(type.lastIndexOf('.') + 1);
        return retryErrors.stream().anyMatch(e -> e.equals(type) || e.equals(simple));
    }

    /** Builds a policy value by value from text; used by every place a policy is typed. */
    public static final class Builder {
        private final Map<String, String> raw = new LinkedHashMap<>();

        public Builder set(String key, String text) {
            var k = key == null ? "" : key.strip().toLowerCase(Locale.ROOT);
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown policy '" + PolicyText.clip(key) + "' (known: " + String.join(", ", KEYS) + ")");
            }
            if (text == null || text.isBlank()) throw new IllegalArgumentException(k + " has no value");
            raw.put(k, text.strip());
            return this;
        }

        public RunPolicy build() {
            return new RunPolicy(duration("max-runtime"), duration("max-queued"), duration("max-node-time"),
                    integer("max-steps"), integer("retries"), duration("retry-delay"), number("retry-multiplier"),
                    duration("retry-max-delay"), number("retry-jitter"), outcomes(), errors(), integer("max-concurrent"),
                    integer("queue-max-concurrent"), null);
        }

        private Duration duration(String key) {
            var t = raw.get(key);
            if (t == null) return null;
            try {
                return PolicyText.parseDuration(t);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage());
            }
        }

        private Integer integer(String key) {
            var t = raw.get(key);
            if (t == null) return null;
            try {
                return Integer.valueOf(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + ": '" + PolicyText.clip(t) + "' is not a whole number");
            }
        }

        private Double number(String key) {
            var t = raw.get(key);
            if (t == null) return null;
            try {
                return PolicyText.parseNumber(t);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage());
            }
        }

        private Set<RetryOn> outcomes() {
            var t = raw.get("retry-on");
            if (t == null) return null;
            var out = EnumSet.noneOf(RetryOn.class);
            for (var part : t.split(",")) {
                var name = part.strip().toUpperCase(Locale.ROOT);
                try {
                    out.add(RetryOn.valueOf(name));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("retry-on: '" + PolicyText.clip(part.strip()) + "' is not an outcome (failed, lost, deadline)");
                }
            }
            return out;
        }

        private List<String> errors() {
            var t = raw.get("retry-errors");
            if (t == null) return null;
            var out = new ArrayList<String>();
            for (var part : t.split(",")) {
                var name = part.strip();
                if (!name.matches("[A-Za-z_$][A-Za-z0-9_$.]{0,200}")) {
                    throw new IllegalArgumentException("retry-errors: '" + PolicyText.clip(name) + "' is not a class name");
                }
                out.add(name);
            }
            return out;
        }
    }
}
