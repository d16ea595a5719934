package dev.tether.redis;

import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;

import java.time.Duration;
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
 * <p>
 * A running run's progress (its node and steps, status still RUNNING) waits in the worker's feed for
 * up to {@link #HOLD}, and only its newest state is written: a short run costs Redis no write between its
 * claim and its end (about half of the commands such a run used to cost), and a graph looping through
 * fast nodes writes its run a few times a second, not once per node. A cancelled run's CANCELLING waits
 * the same: a run that stops within the hold (an interrupted node stops in well under a millisecond) goes
 * from RUNNING to CANCELLED in Redis with one write, its end, and the cancel's way to the views has no
 * second script and event before that end; a run slower to stop shows CANCELLING at most a hold late.
 * Every other change it writes ({@link #writesAtOnce}: STUCK, LOST, a QUEUED run's reason) wakes the feed at
 * once, and supersedes the change waiting for its run.
 */
final class RunPublisher {
    /** The longest a run's progress or CANCELLING waits before it is written (observers see it this much later at most, plus a write). */
    static final Duration HOLD = Duration.ofMillis(50);

    private final RunStore store;
    private final Connectivity connectivity;
    private final Consumer<String> stopHere;
    private final Runnable checkpointsFirst;
    private final ConcurrentHashMap<String, RunSnapshot> unpublished = new ConcurrentHashMap<>();
    private volatile long unpublishedSinceNanos;

    /**
     * @param checkpointsFirst writes the runs' queued checkpoints; run before progress is written, so
     *                         that no view sees a node before the checkpoint it starts from is in Redis
     */
    RunPublisher(RunStore store, Connectivity connectivity, Consumer<String> stopHere, Runnable checkpointsFirst) {
        this.store = store;
        this.checkpointsFirst = checkpointsFirst;
        this.connectivity = connectivity;
        this.stopHere = stopHere;
    }

    /** Whether this change is written as soon as it is made; any other waits up to {@link #HOLD} (or is not written). */
    static boolean writesAtOnce(RunSnapshot s) {
        return s.version() > 2 && switch (s.status()) {
            case STUCK, LOST, QUEUED -> true; // QUEUED past the claim's version: a queued run's reason
            default -> false; // progress and CANCELLING wait; the job's finish records the ends
        };
    }

    /** A batch of local changes (the registry's subscriber), the newest of each run. */
    void publish(List<RunSnapshot> batch) {
        var todo = new ArrayList<RunSnapshot>(batch.size());
        boolean progress = false;
        for (var s : batch) {
            if (s.version() <= 2 || endedWithItsJob(s)) continue;
            progress |= s.status() == RunStatus.RUNNING;
            todo.add(s);
        }
        if (progress) checkpointsFirst.run();
        write(todo);
    }

    private static RunSnapshot newer(RunSnapshot a, RunSnapshot b) {
        return b.version() > a.version() ? b : a;
    }

    private void write(List<RunSnapshot> todo) {
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
            for (var s : todo) unpublished.merge(s.runId(), s, RunPublisher::newer);
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
