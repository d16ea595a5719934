package dev.tether.redis;

import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Writes a worker's local run changes to Redis. Skipped: the QUEUED and first RUNNING states (the
 * claim wrote them) and the ends that {@link dev.tether.engine.Job#finished} records together with the
 * job's acknowledgement (COMPLETED, FAILED, CANCELLED). A run that already ended there (LOST while the
 * worker was cut off, ...) is handed to {@code stopHere}. Whatever cannot be written now is kept
 * (newest per run) and written by {@link #republish()}, on the next maintenance tick.
 * <p>
 * A running run's progress (its node and steps, status still RUNNING) is held for {@link #HOLD} and
 * only its newest state written: a short run costs Redis no write between its claim and its end (about
 * half of the commands such a run used to cost), and a graph looping through fast nodes writes its run
 * a few times a second, not once per node. Every other change (CANCELLING, STUCK, LOST, ...) is written
 * at once, and supersedes what was held for its run.
 */
final class RunPublisher {
    /** The longest a run's progress waits before it is written (observers see a node this much later at most, plus a write). */
    static final Duration HOLD = Duration.ofMillis(50);

    private final RunStore store;
    private final Connectivity connectivity;
    private final Consumer<String> stopHere;
    private final Consumer<Runnable> later;
    private final Runnable checkpointsFirst;
    private final ConcurrentHashMap<String, RunSnapshot> unpublished = new ConcurrentHashMap<>();
    private volatile long unpublishedSinceNanos;
    private final ConcurrentHashMap<String, RunSnapshot> held = new ConcurrentHashMap<>();
    /** Whether a write of what is held is scheduled; set by the first hold, cleared by that write. */
    private final AtomicBoolean flushDue = new AtomicBoolean();

    /**
     * @param later runs a task {@link #HOLD} from now, off the caller's thread (the worker's maintenance
     *              executor)
     * @param checkpointsFirst writes the runs' queued checkpoints; run before held progress is written, so
     *                         that no view sees a node before the checkpoint it starts from is in Redis
     */
    RunPublisher(RunStore store, Connectivity connectivity, Consumer<String> stopHere, Consumer<Runnable> later,
                 Runnable checkpointsFirst) {
        this.store = store;
        this.checkpointsFirst = checkpointsFirst;
        this.connectivity = connectivity;
        this.stopHere = stopHere;
        this.later = later;
    }

    /** A batch of local changes (the registry's subscriber). */
    void publish(List<RunSnapshot> batch) {
        var now = new LinkedHashMap<String, RunSnapshot>();
        boolean holding = false;
        for (var s : batch) {
            if (s.version() <= 2) continue;
            if (s.status() == RunStatus.RUNNING) {
                held.merge(s.runId(), s, RunPublisher::newer);
                holding = true;
                continue;
            }
            held.remove(s.runId()); // this state is newer and whole: what was held for the run is superseded
            now.remove(s.runId());
            if (!endedWithItsJob(s)) now.put(s.runId(), s);
        }
        if (holding && flushDue.compareAndSet(false, true)) later.accept(this::flushHeld);
        write(List.copyOf(now.values()));
    }

    /** Writes the progress held so far, on {@link #HOLD}'s schedule (a catch-up and the shutdown write every run's state anyway). */
    void flushHeld() {
        flushDue.set(false);
        if (held.isEmpty()) return;
        checkpointsFirst.run();
        var batch = new ArrayList<RunSnapshot>(held.size());
        for (var s : held.values()) if (held.remove(s.runId(), s)) batch.add(s);
        write(batch);
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
