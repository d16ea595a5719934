package dev.tether.redis;

import dev.tether.run.RunSnapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Writes a worker's local run changes to Redis. Skipped: the QUEUED and first RUNNING states (the
 * claim wrote them) and the ends that {@link dev.tether.engine.Job#finished} records together with the
 * job's acknowledgement (COMPLETED, FAILED, CANCELLED). A run that already ended there (LOST while the
 * worker was cut off, ...) is handed to {@code stopHere}. Whatever cannot be written now is kept
 * (newest per run) and written by {@link #republish()}, on the next maintenance tick.
 */
final class RunPublisher {
    private final RunStore store;
    private final Connectivity connectivity;
    private final Consumer<String> stopHere;
    private final ConcurrentHashMap<String, RunSnapshot> unpublished = new ConcurrentHashMap<>();
    private volatile long unpublishedSinceNanos;

    RunPublisher(RunStore store, Connectivity connectivity, Consumer<String> stopHere) {
        this.store = store;
        this.connectivity = connectivity;
        this.stopHere = stopHere;
    }

    /** A batch of local changes (the registry's subscriber). */
    void publish(List<RunSnapshot> batch) {
        var todo = new ArrayList<RunSnapshot>(batch.size());
        for (var s : batch) if (s.version() > 2 && !endedWithItsJob(s)) todo.add(s);
        if (todo.isEmpty()) return;
        try {
            var outcomes = store.putAll(todo);
            connectivity.up();
            for (int i = 0; i < todo.size(); i++) {
                if (outcomes.get(i) == RunStore.Put.ALREADY_TERMINAL && !todo.get(i).isTerminal()) stopHere.accept(todo.get(i).runId());
            }
        } catch (RuntimeException e) {
            connectivity.down(e);
            if (unpublished.isEmpty()) unpublishedSinceNanos = System.nanoTime();
            for (var s : todo) unpublished.merge(s.runId(), s, (a, b) -> b.version() > a.version() ? b : a);
        }
    }

    private static boolean endedWithItsJob(RunSnapshot s) {
        return switch (s.status()) {
            case COMPLETED, FAILED, CANCELLED -> true;
            default -> false; // STUCK and LOST are written now: the job's end may come much later, or never
        };
    }

    /** Writes what could not be written before; throws (and keeps it) while Redis cannot be reached. */
    void republish() {
        if (unpublished.isEmpty()) return;
        var batch = List.copyOf(unpublished.values());
        var outcomes = store.putAll(batch); // accepted, stale or refused: either way Redis now holds the newest truth
        for (int i = 0; i < batch.size(); i++) {
            var s = batch.get(i);
            unpublished.remove(s.runId(), s);
            if (outcomes.get(i) == RunStore.Put.ALREADY_TERMINAL && !s.isTerminal()) stopHere.accept(s.runId());
        }
        if (unpublished.isEmpty()) unpublishedSinceNanos = 0;
    }

    /** What is not written yet, for the worker's stall report; null when nothing has waited long. */
    String stall() {
        long since = unpublishedSinceNanos;
        if (unpublished.isEmpty() || since == 0 || System.nanoTime() - since < WorkerStalls.AFTER.toNanos()) return null;
        return unpublished.size() + " run states not written to Redis for " + WorkerStalls.seconds(System.nanoTime() - since);
    }
}
