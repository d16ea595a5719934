package dev.tether.soak;

import dev.tether.run.CancelMode;
import dev.tether.run.CancelOutcome;
import dev.tether.run.StopLevel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the load did, as the system answered it: every run it was given an id for, every cancel with
 * its level, mode and outcome, every cancel-all and resume, and every request that got no answer.
 * The accountant checks the system's final state against it.
 */
final class Ledger {
    record Submitted(String runId, String graph, long atMillis, String resumeOf) {}

    /** {@code outcome} null when it got no answer ({@code error} says why); {@code answeredMillis} when the answer came. */
    record Cancel(String runId, StopLevel level, CancelMode mode, long atMillis, CancelOutcome outcome, String error, long answeredMillis) {}

    record Resume(String of, long atMillis, String newRunId, String refusal) {}

    private final Map<String, Submitted> runs = new ConcurrentHashMap<>();
    private final List<Cancel> cancels = Collections.synchronizedList(new ArrayList<>());
    private final List<Resume> resumes = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicLong> unanswered = new ConcurrentHashMap<>();
    private final AtomicLong cancelAlls = new AtomicLong();
    private final AtomicLong cancelAllRuns = new AtomicLong();
    private final AtomicLong actions = new AtomicLong();
    /** Submits and resumes whose answer was lost (connection cut mid-request): each may or may not have made a run. */
    private final AtomicLong uncertainSubmits = new AtomicLong();

    void submitted(String runId, String graph, String resumeOf) {
        runs.put(runId, new Submitted(runId, graph, System.currentTimeMillis(), resumeOf));
        actions.incrementAndGet();
    }

    void cancelled(String runId, StopLevel level, CancelMode mode, long atMillis, CancelOutcome outcome, String error) {
        cancels.add(new Cancel(runId, level, mode, atMillis, outcome, error, System.currentTimeMillis()));
        actions.incrementAndGet();
    }

    void cancelAll(int runs) {
        cancelAlls.incrementAndGet();
        cancelAllRuns.addAndGet(runs);
        actions.incrementAndGet();
    }

    void resumed(String of, long atMillis, String newRunId, String refusal) {
        resumes.add(new Resume(of, atMillis, newRunId, refusal));
        actions.incrementAndGet();
    }

    /** A request that got no answer from the system (it was down, stalled, or cut the connection). */
    void unanswered(String what, boolean maybeDone) {
        unanswered.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
        if (maybeDone && (what.equals("submit") || what.equals("resume"))) uncertainSubmits.incrementAndGet();
    }

    Map<String, Submitted> runs() {
        return Map.copyOf(runs);
    }

    Set<String> runIds() {
        return Set.copyOf(runs.keySet());
    }

    List<Cancel> cancels() {
        synchronized (cancels) {
            return List.copyOf(cancels);
        }
    }

    List<Resume> resumes() {
        synchronized (resumes) {
            return List.copyOf(resumes);
        }
    }

    Map<String, Long> unanswered() {
        var out = new TreeMap<String, Long>();
        unanswered.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    long uncertainSubmits() {
        return uncertainSubmits.get();
    }

    long cancelAlls() {
        return cancelAlls.get();
    }

    long cancelAllRuns() {
        return cancelAllRuns.get();
    }

    /** Moves with every answered request: part of the progress figure. */
    long actions() {
        return actions.get();
    }
}
