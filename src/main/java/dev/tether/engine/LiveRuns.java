package dev.tether.engine;

import java.util.concurrent.ConcurrentHashMap;

/** The controls of the runs this engine has accepted and not yet finished, by run id. */
final class LiveRuns {
    private final ConcurrentHashMap<String, RunControl> controls = new ConcurrentHashMap<>();

    RunControl get(String runId) {
        return controls.get(runId);
    }

    /** A control for a run submitted here; null when the id is already taken. */
    RunControl register(String runId) {
        var control = new RunControl(runId);
        return controls.putIfAbsent(runId, control) == null ? control : null;
    }

    /** The run's control, made now if it arrived from an external source. */
    RunControl adopt(String runId) {
        return controls.computeIfAbsent(runId, RunControl::new);
    }

    /** The ids of the runs accepted and not finished: retention never removes their checkpoints. */
    java.util.Set<String> ids() {
        return java.util.Set.copyOf(controls.keySet());
    }

    /** The controls of every run accepted and not finished, now. */
    java.util.List<RunControl> controls() {
        return java.util.List.copyOf(controls.values());
    }

    /** Forgets the run, only if {@code control} is still the one registered for it. */
    void remove(String runId, RunControl control) {
        controls.remove(runId, control);
    }
}
