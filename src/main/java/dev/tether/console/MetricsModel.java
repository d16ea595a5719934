package dev.tether.console;

import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;

import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The last two minutes in numbers: one sample per wall-clock second of the active runs by status
 * and of the runs that finished in that second by how they ended. {@link #second()} ticks once per
 * sample. Also the runs that ended in the last {@link #RECENT} (at most {@link #RECENT_CAP}), for
 * the cancel-latency and outcome tables ({@link OutcomeStats}). Plain numbers, no chart nodes; FX
 * thread only.
 */
final class MetricsModel {
    static final int WINDOW_SECONDS = 120;
    static final List<RunStatus> ACTIVE = List.of(RunStatus.RUNNING, RunStatus.QUEUED, RunStatus.CANCELLING);
    static final List<RunStatus> ENDED = List.of(RunStatus.COMPLETED, RunStatus.CANCELLED, RunStatus.FAILED,
            RunStatus.STUCK, RunStatus.LOST);

    record Sample(long second, int value) {}

    /** How far back the tables look. */
    static final java.time.Duration RECENT = java.time.Duration.ofMinutes(5);
    static final int RECENT_CAP = 20_000;
    private final ArrayDeque<RunSnapshot> recent = new ArrayDeque<>();
    private boolean recentChanged;

    private final Map<RunStatus, ArrayDeque<Sample>> samples = new EnumMap<>(RunStatus.class);
    private final Map<RunStatus, Integer> endedThisSecond = new EnumMap<>(RunStatus.class);
    private final ReadOnlyLongWrapper second = new ReadOnlyLongWrapper(0);
    private long wallSecond = -1;

    /** The number of samples taken so far; each sample's {@link Sample#second()}. */
    ReadOnlyLongProperty second() {
        return second.getReadOnlyProperty();
    }

    /** The samples of one status in the window, oldest first. */
    List<Sample> samples(RunStatus status) {
        var s = samples.get(status);
        return s == null ? List.of() : List.copyOf(s);
    }

    /** Runs that ended: counted into the current second. */
    void ended(List<RunSnapshot> runs) {
        for (var r : runs) {
            endedThisSecond.merge(r.status(), 1, Integer::sum);
            recent.addLast(r);
            recentChanged = true;
        }
        while (recent.size() > RECENT_CAP) recent.removeFirst();
    }

    /**
     * The runs that ended within {@link #RECENT} of {@code now}, or null when {@code onlyIfChanged}
     * and nothing changed since the last call (the tables need not be redone).
     */
    List<RunSnapshot> recent(java.time.Instant now, boolean onlyIfChanged) {
        var horizon = now.minus(RECENT);
        while (!recent.isEmpty() && endedBefore(recent.peekFirst(), horizon)) {
            recent.removeFirst();
            recentChanged = true;
        }
        if (onlyIfChanged && !recentChanged) return null;
        recentChanged = false;
        return List.copyOf(recent);
    }

    private static boolean endedBefore(RunSnapshot r, java.time.Instant horizon) {
        return r.endedAt() != null && r.endedAt().isBefore(horizon);
    }

    /** Called on every clock tick; takes one sample when the wall-clock second changes. */
    void sample(long clockMillis, Map<RunStatus, Integer> counts) {
        long s = clockMillis / 1000;
        if (s == wallSecond) return;
        wallSecond = s;
        long t = second.get() + 1;
        for (var st : ACTIVE) add(st, t, counts.getOrDefault(st, 0));
        for (var st : ENDED) add(st, t, endedThisSecond.getOrDefault(st, 0));
        endedThisSecond.clear();
        second.set(t);
    }

    private void add(RunStatus st, long t, int value) {
        var h = samples.computeIfAbsent(st, k -> new ArrayDeque<>());
        h.addLast(new Sample(t, value));
        while (h.size() > WINDOW_SECONDS + 1) h.removeFirst();
    }
}
