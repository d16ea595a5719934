package dev.tether.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What keeps a worker from making progress, said out loud: in its log and in its heartbeat (so
 * views, the Workers tab and {@code tether workers} show it). Each of the worker's activities
 * (taking jobs, recording ends, catching up, ...) reports whether its last attempt worked; one that
 * has kept failing for {@link #AFTER} is a problem, with how long and the last error. Conditions
 * (held out of contact, a slot waiting in one call) are added by {@link #condition}.
 *
 * <p>A problem is logged once when it appears (WARN), again every {@link #REPEAT} while it lasts,
 * and once when it is gone (INFO). A worker that went silent without a word was the failure this
 * exists for: its threads retried quietly while runs waited.
 */
final class WorkerStalls {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WorkerStalls.class);
    /** An activity failing this long is a problem (short hiccups are normal: every call is retried). */
    static final Duration AFTER = Duration.ofSeconds(5);
    static final Duration REPEAT = Duration.ofSeconds(30);

    private record Failing(long sinceNanos, String detail) {}

    private final String worker;
    private final ConcurrentHashMap<String, Failing> failing = new ConcurrentHashMap<>();
    private final Map<String, Supplier<String>> conditions = new LinkedHashMap<>();
    /** Problems as last reported, by activity: what the log has said. */
    private final Map<String, String> reported = new LinkedHashMap<>();
    private long lastReportNanos;

    WorkerStalls(String worker) {
        this.worker = worker;
    }

    /** The activity's attempt failed; it is a problem once it has failed for {@link #AFTER} without a success. */
    void failed(String activity, Throwable e) {
        var detail = e == null ? "" : Text.oneLine(e.getClass().getSimpleName() + ": " + e.getMessage());
        failing.compute(activity, (k, f) -> new Failing(f == null ? System.nanoTime() : f.sinceNanos(), detail));
    }

    /** The activity's attempt worked: whatever it had failed is over. */
    void worked(String activity) {
        if (!failing.isEmpty()) failing.remove(activity);
    }

    /** A condition checked on every report: null while fine, else the problem as one line. */
    synchronized void condition(String name, Supplier<String> check) {
        conditions.put(name, check);
    }

    /** The current problems, one line each, and the log told of any change. Called on every heartbeat. */
    synchronized List<String> report() {
        long now = System.nanoTime();
        var current = new LinkedHashMap<String, String>();
        for (var c : conditions.entrySet()) {
            String problem;
            try {
                problem = c.getValue().get();
            } catch (RuntimeException e) {
                problem = null;
            }
            if (problem != null) current.put(c.getKey(), problem);
        }
        for (var e : failing.entrySet()) {
            long age = now - e.getValue().sinceNanos();
            if (age >= AFTER.toNanos()) {
                current.put(e.getKey(), e.getKey() + " failing for " + seconds(age) + " (" + e.getValue().detail() + ")");
            }
        }
        boolean changed = !current.keySet().equals(reported.keySet());
        if (!current.isEmpty() && (changed || now - lastReportNanos >= REPEAT.toNanos())) {
            LOG.warn("worker '{}' cannot make progress: {}", worker, String.join("; ", current.values()));
            lastReportNanos = now;
        }
        for (var gone : reported.keySet()) {
            if (!current.containsKey(gone)) LOG.info("worker '{}': {} works again", worker, gone);
        }
        reported.clear();
        reported.putAll(current);
        return new ArrayList<>(current.values());
    }

    static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
