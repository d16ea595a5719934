package dev.tether.registry;

import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Every run this process knows, as immutable snapshots. Thread-safe: each event is applied
 * atomically per run through {@link RunStateMachine}, the only code that changes a run. Finished
 * runs stay in a bounded history (oldest dropped first).
 */
public final class RunRegistry {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunRegistry.class);
    public static final int DEFAULT_HISTORY = 10_000;

    private final ConcurrentHashMap<String, RunSnapshot> runs = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> finishedOrder = new ConcurrentLinkedQueue<>();
    private final AtomicInteger finishedCount = new AtomicInteger();
    /**
     * Ids of the runs held in an active status, kept with the counts (under each run's lock): listing the
     * active runs walks only them, never the history (10,000 finished runs by default), which a worker's
     * cancel check did four times a second.
     */
    private final java.util.Set<String> activeIds = ConcurrentHashMap.newKeySet();
    /** Runs held per status (by ordinal), kept with every change: counts are read every second by views over 100,000 runs. */
    private final java.util.concurrent.atomic.AtomicIntegerArray byStatus = new java.util.concurrent.atomic.AtomicIntegerArray(RunStatus.values().length);
    private final CopyOnWriteArrayList<ChangeFeed> feeds = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Consumer<RunEvent>> eventListeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Consumer<ApplyResult>> changeListeners = new CopyOnWriteArrayList<>();
    private final int historyCapacity;

    public RunRegistry() {
        this(DEFAULT_HISTORY);
    }

    public RunRegistry(int historyCapacity) {
        if (historyCapacity < 1) throw new IllegalArgumentException("history capacity must be at least 1");
        this.historyCapacity = historyCapacity;
    }

    /** Applies one event atomically; rejected events change nothing. */
    public ApplyResult apply(RunEvent event) {
        var holder = new RunSnapshot[2];
        runs.compute(event.runId(), (id, cur) -> {
            holder[0] = cur;
            var next = RunStateMachine.apply(cur, event);
            if (next == null) return cur;
            holder[1] = next;
            counted(cur, next);
            // Still under this run's lock: feeds see each run's changes in order.
            for (var feed : feeds) feed.offer(next);
            for (var listener : eventListeners) {
                try {
                    listener.accept(event);
                } catch (RuntimeException e) { // as for watchers: an observer never undoes a run's change
                    LOG.warn("a registry listener failed", e);
                }
            }
            if (!changeListeners.isEmpty()) notifyChange(new ApplyResult(event, cur, next));
            return next;
        });
        var after = holder[1];
        if (after != null && after.status().isTerminal() && (holder[0] == null || !holder[0].status().isTerminal())) {
            retire(after.runId());
        }
        return new ApplyResult(event, holder[0], after);
    }

    /**
     * Takes a snapshot made by the state machine of another process (a worker, via Redis). Only a
     * newer version replaces the current one, and a terminal snapshot is final here as everywhere.
     *
     * @return whether it was taken
     */
    public boolean mirror(RunSnapshot snapshot) {
        if (snapshot == null || snapshot.runId() == null || snapshot.status() == null) return false; // never let a broken copy in
        var holder = new RunSnapshot[2];
        runs.compute(snapshot.runId(), (id, cur) -> {
            holder[0] = cur;
            if (cur != null && (cur.isTerminal() || cur.version() >= snapshot.version())) return cur;
            holder[1] = snapshot;
            counted(cur, snapshot);
            for (var feed : feeds) feed.offer(snapshot);
            if (!changeListeners.isEmpty()) notifyChange(new ApplyResult(null, cur, snapshot));
            return snapshot;
        });
        if (holder[1] == null) return false;
        if (snapshot.isTerminal()) retire(snapshot.runId());
        return true;
    }

    /**
     * Calls {@code listener} with every event that changed a run, in each run's order (under the run's
     * lock, so it must be quick): how a child JVM streams its run's facts to its parent.
     */
    public AutoCloseable listen(Consumer<RunEvent> listener) {
        eventListeners.add(listener);
        return () -> eventListeners.remove(listener);
    }

    /**
     * Calls {@code listener} with every change of a run, before and after, in each run's order (under
     * the run's lock, so it must be quick): an applied event, or (event null) a snapshot taken from
     * another process. How metrics see every transition, wherever the run executes.
     */
    public AutoCloseable watch(Consumer<ApplyResult> listener) {
        changeListeners.add(listener);
        return () -> changeListeners.remove(listener);
    }

    private void notifyChange(ApplyResult change) {
        for (var listener : changeListeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) { // an observer must never break a run's change
                LOG.warn("a registry watcher failed", e);
            }
        }
    }

    /** Under the run's lock: its count moves from its old status to its new one, and the active index with it. */
    private void counted(RunSnapshot was, RunSnapshot now) {
        if (was != null) byStatus.decrementAndGet(was.status().ordinal());
        if (now != null) byStatus.incrementAndGet(now.status().ordinal());
        boolean wasActive = was != null && was.status().isActive(), isActive = now != null && now.status().isActive();
        if (isActive && !wasActive) activeIds.add(now.runId());
        else if (wasActive && !isActive) activeIds.remove(was.runId());
    }

    private void retire(String runId) {
        finishedOrder.add(runId);
        if (finishedCount.incrementAndGet() > historyCapacity) {
            var oldest = finishedOrder.poll();
            if (oldest != null) {
                runs.computeIfPresent(oldest, (id, cur) -> {
                    counted(cur, null);
                    return null;
                });
                finishedCount.decrementAndGet();
            }
        }
    }

    public Optional<RunSnapshot> get(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    /**
     * Finds a run by its full id, a unique prefix, or its short id (the id's last characters); a
     * part shorter than {@link RunIds#MIN_REFERENCE_LENGTH} never matches another run.
     *
     * @throws IllegalArgumentException when the part is too short or matches several runs
     */
    public Optional<RunSnapshot> find(String idOrPrefix) {
        var exact = runs.get(idOrPrefix);
        if (exact != null || idOrPrefix.length() >= RunIds.FULL_LENGTH) return Optional.ofNullable(exact);
        RunIds.checkReference(idOrPrefix);
        var matches = runs.values().stream().filter(r -> r.runId().startsWith(idOrPrefix) || r.runId().endsWith(idOrPrefix)).limit(2).toList();
        if (matches.size() > 1) throw new IllegalArgumentException("run id prefix '" + idOrPrefix + "' is ambiguous");
        return matches.stream().findFirst();
    }

    public List<RunSnapshot> active() {
        return selectActive(r -> true);
    }

    /** Ids of the active runs, in no particular order: for a caller that only checks them (no sort, no snapshots copied). */
    public List<String> activeIds() {
        return new ArrayList<>(activeIds);
    }

    /** Active snapshots matching the filter, oldest submission first: from the active index, not the whole registry. */
    private List<RunSnapshot> selectActive(Predicate<RunSnapshot> filter) {
        var out = new ArrayList<RunSnapshot>(activeIds.size());
        for (var id : activeIds) {
            var r = runs.get(id);
            if (r != null && r.status().isActive() && filter.test(r)) out.add(r); // it may have ended since the id was read
        }
        out.sort(ORDER);
        return out;
    }

    public List<RunSnapshot> finished() {
        return select(r -> r.status().isTerminal());
    }

    public List<RunSnapshot> all() {
        return select(r -> true);
    }

    public List<RunSnapshot> withStatus(RunStatus status) {
        return status.isActive() ? selectActive(r -> r.status() == status) : select(r -> r.status() == status);
    }

    /** Snapshots matching the filter, oldest submission first. */
    public List<RunSnapshot> select(Predicate<RunSnapshot> filter) {
        var out = new ArrayList<RunSnapshot>();
        for (var r : runs.values()) if (filter.test(r)) out.add(r);
        out.sort(ORDER);
        return out;
    }

    private static final Comparator<RunSnapshot> ORDER = Comparator.comparing(RunSnapshot::submittedAt).thenComparing(RunSnapshot::runId);

    /** Runs held per status: O(1), however many runs are held (each status read on its own, so not one instant's). */
    public Map<RunStatus, Integer> counts() {
        var counts = new EnumMap<RunStatus, Integer>(RunStatus.class);
        for (var s : RunStatus.values()) counts.put(s, byStatus.get(s.ordinal()));
        return counts;
    }

    /**
     * The run as it is once a change being made to it right now is done: this read waits for the
     * run's lock, where {@link #get} does not. A thread that leaves a note for a run's next change and
     * then reads the run this way either sees the run, or its note is seen by that change's feeds.
     */
    public Optional<RunSnapshot> getAfterChange(String runId) {
        var holder = new RunSnapshot[1];
        runs.compute(runId, (id, cur) -> holder[0] = cur);
        return Optional.ofNullable(holder[0]);
    }

    /** Runs held with this status: O(1). */
    public int count(RunStatus status) {
        return byStatus.get(status.ordinal());
    }

    public int size() {
        return runs.size();
    }

    public int historyCapacity() {
        return historyCapacity;
    }

    /** A coalescing, pull-based feed of changes from now on; close it when done. */
    public ChangeFeed openFeed() {
        return openFeed(Duration.ZERO, null);
    }

    /** A patient feed: only the changes {@code atOnce} names wake its one reader at once (see {@link ChangeFeed}). */
    public ChangeFeed openFeed(Duration patience, Predicate<RunSnapshot> atOnce) {
        var ref = new ChangeFeed[1];
        ref[0] = new ChangeFeed(() -> feeds.remove(ref[0]), patience, atOnce);
        feeds.add(ref[0]);
        return ref[0];
    }

    /**
     * Pushes batches of changes to {@code listener} on a platform thread of its own (a listener that calls a
     * server over a socket is woken by the kernel, not through the JDK's poller and a carrier); a slow listener
     * only delays itself. Close the returned handle to stop.
     */
    public AutoCloseable subscribe(Consumer<List<RunSnapshot>> listener) {
        return subscribe(listener, Duration.ZERO, null);
    }

    /**
     * As {@link #subscribe(Consumer)}, but only the changes {@code atOnce} names are pushed at once; the
     * others wait, gathered, up to {@code patience} (they go with the next batch pushed, whichever comes first).
     * {@code atOnce} runs under the run's lock: it must be quick and never block.
     */
    public AutoCloseable subscribe(Consumer<List<RunSnapshot>> listener, Duration patience,
                                   Predicate<RunSnapshot> atOnce) {
        var feed = openFeed(patience, atOnce);
        var thread = Thread.ofPlatform().daemon().name("tether-registry-subscriber").start(() -> {
            try {
                while (!feed.isClosed()) {
                    if (feed.await(Duration.ofSeconds(1))) {
                        var batch = feed.drain();
                        if (!batch.isEmpty()) {
                            try {
                                listener.accept(batch);
                            } catch (RuntimeException e) {
                                LOG.warn("registry subscriber failed; it keeps receiving changes", e);
                            }
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return () -> {
            feed.close();
            thread.interrupt();
        };
    }
}
