package dev.tether.redis;

import dev.tether.engine.WorkerInfo;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import redis.clients.jedis.UnifiedJedis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A live view's feed of its registry (the console, {@code serve}): every run mirrored (a first load,
 * then the events channel, a full resync after every reconnect), the live workers read every tick
 * (250 ms), the lost-worker sweep joined, every shown run's stored version compared with its own (a
 * newer record read again, a vanished one shown LOST once no worker may write it back). A one-shot
 * view never builds one.
 */
final class RunMirror implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunMirror.class);

    private final UnifiedJedis redis;
    private final Keys keys;
    private final RunStore store;
    private final RunRegistry registry;
    private final Connectivity connectivity;
    private final VanishedRuns vanished = new VanishedRuns();
    private final VanishChecks vanishChecks = new VanishChecks();
    private final QueuedWindow window;
    private final LostWorkerSweep sweep;
    private final MaintenanceSteps steps;
    private final List<WorkersListener> workersListeners = new CopyOnWriteArrayList<>();
    /** What each worker last said keeps it from making progress (names of workers that said nothing are absent). */
    private final Map<String, List<String>> stallsSaid = new HashMap<>();
    private final Subscriber events;
    private final ScheduledExecutorService maintenance;
    /** Runs whose change came for a version the registry does not hold: their records are read. */
    private final java.util.Set<String> toRead = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicBoolean readScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile List<WorkerInfo> workers;
    private final java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
    private int ticks;

    /**
     * Reads the live workers, subscribes to the events channel and loads every run (the subscription's
     * first catch-up: subscribed first, so nothing published during the load is missed, and the runs
     * are read once), then follows the channel and ticks until closed.
     *
     * @param awaitFirstLoad whether to load now and return only once the runs are loaded ({@code serve},
     *                       tests); else nothing is loaded before {@link #startLoading()} (a console calls it
     *                       once its window is shown: the load's CPU would hold its first frame back)
     * @param queuedShown    the QUEUED runs held at most ({@link QueuedWindow}; {@link QueuedWindow#UNLIMITED} for every one)
     * @throws RuntimeException when waiting, what kept the first load from succeeding: a refusal at once,
     *                          lost contact after {@link RedisSettings#POOL_WAIT}
     */
    RunMirror(RedisSettings settings, UnifiedJedis redis, RunStore store, RunRegistry registry, Connectivity connectivity, String participant,
              boolean awaitFirstLoad, int queuedShown) {
        this.window = new QueuedWindow(queuedShown, registry);
        this.redis = redis;
        this.keys = settings.keys();
        this.store = store;
        this.registry = registry;
        this.connectivity = connectivity;
        this.workers = Heartbeat.liveWorkers(redis, keys);
        vanished.workersRead(workers, System.nanoTime());
        this.steps = new MaintenanceSteps(settings.display(), null);
        this.sweep = new LostWorkerSweep(redis, store, participant, steps);
        this.events = new Subscriber(settings, "tether-redis-events", keys.events(), connectivity,
                this::onEvent, this::resync);
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("tether-redis-maintenance").unstarted(r));
        maintenance.scheduleWithFixedDelay(this::tick, 250, LostWorkerSweep.EVERY.toMillis(), TimeUnit.MILLISECONDS);
        if (awaitFirstLoad) {
            startLoading();
            awaitFirstLoad();
        }
    }

    /** Subscribes, and so loads the runs (once; later calls do nothing). */
    void startLoading() {
        if (started.compareAndSet(false, true)) events.start();
    }

    /** Waits while the first load makes progress; a load that takes long is no reason to give up, a failure is. */
    private void awaitFirstLoad() {
        long failingSince = 0;
        while (!events.caughtUpOnce()) {
            var failure = events.lastFailure();
            if (failure != null) {
                if (!Connectivity.lostContact(failure)) {
                    close();
                    throw failure;
                }
                if (failingSince == 0) failingSince = System.nanoTime();
                else if (System.nanoTime() - failingSince > RedisSettings.POOL_WAIT.toNanos()) {
                    close();
                    throw failure;
                }
            } else {
                failingSince = 0;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while loading the runs from Redis", e);
            }
        }
    }

    /** Whether the runs have been loaded once (until then a view shows what it has so far). */
    boolean loaded() {
        return events.caughtUpOnce();
    }

    /** The live workers as of the last tick: views ask often and must not wait on the network. */
    List<WorkerInfo> workers() {
        return workers;
    }

    /** Whether the registry follows the events channel now (subscribed, and caught up since). */
    boolean inSync() {
        return events.inSync();
    }

    AutoCloseable onWorkersRead(WorkersListener listener) {
        workersListeners.add(listener);
        return () -> workersListeners.remove(listener);
    }

    /** QUEUED runs in Redis this mirror does not hold ({@link QueuedWindow}; 0 when it holds every one). */
    long queuedNotShown() {
        return window.notShown();
    }

    /** Whether this mirror holds every active run now (else some queued ones wait in Redis only). */
    boolean holdsEveryRun() {
        return window.holdsEveryRun();
    }

    /**
     * A whole snapshot, or a change applied onto the version it was made from (else the record is read);
     * a run not held only when the window takes it.
     */
    private void onEvent(String json) {
        if (!RunChange.isChange(json)) {
            show(RunStore.parseEvent(json));
            return;
        }
        var change = RunChange.parse(json);
        var id = RunChange.runId(change);
        var held = registry.get(id).orElse(null);
        var next = RunChange.applyTo(held, change);
        if (next != null) registry.mirror(next);
        else if (held != null || window.readsChange(change)) readSoon(id);
    }

    /** Into the registry, if the window takes it. */
    private void show(RunSnapshot run) {
        if (run != null && window.admits(run)) registry.mirror(run);
    }

    /** Reads these runs' records off the subscriber's thread, many at once; what fails is left to the version check. */
    private void readSoon(String id) {
        toRead.add(id);
        if (!readScheduled.compareAndSet(false, true)) return;
        try {
            maintenance.execute(() -> {
                readScheduled.set(false);
                var ids = new ArrayList<String>();
                for (var it = toRead.iterator(); it.hasNext(); ) {
                    ids.add(it.next());
                    it.remove();
                }
                try {
                    store.loadEach(ids, this::show);
                } catch (RuntimeException e) { // the 2-s version check reads them again
                    LOG.debug("could not read {} changed runs yet: {}", ids.size(), Text.oneLine(e.getMessage()));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            readScheduled.set(false);
        }
    }

    private void resync() {
        var active = window.limited() ? new java.util.LinkedHashSet<>(window.idsToLoad(redis, keys)) : store.activeIds();
        store.loadEach(new ArrayList<>(active), this::show);
        for (var r : store.finished(1_000)) registry.mirror(r);
        // runs we show as active that left the active set (ended and expired, or the record is gone), or
        // are queued beyond the window's first ones; the others were just read
        var left = new ArrayList<String>();
        for (var id : registry.activeIds()) if (!active.contains(id)) left.add(id);
        store.loadEach(left, registry::mirror);
    }

    /** One pass, step by step ({@link MaintenanceSteps}): a step Redis refuses is logged and the others still run. */
    private void tick() {
        try {
            steps.step("lost-worker sweep", sweep::sweep);
            boolean workersRead = steps.step("reading live workers", this::readWorkers);
            // a missing record is judged against the workers just read (one may still write it back)
            if (++ticks % 8 == 0 && workersRead) steps.step("comparing runs with their records", this::compareWithRecords);
            if (window.limited() && ticks % 4 == 0 && events.caughtUpOnce()) {
                steps.step("refilling the queued runs shown", () -> window.refill(redis, keys, ids -> store.loadEach(ids, this::show)));
            }
            connectivity.up();
        } catch (RuntimeException e) { // no answer: the steps after it would wait as long
            connectivity.down(e);
        }
    }

    private void readWorkers() {
        long sent = System.nanoTime();
        workers = Heartbeat.liveWorkers(redis, keys);
        vanished.workersRead(workers, System.nanoTime());
        connectivity.roundTrip(System.nanoTime() - sent);
        if (!workersListeners.isEmpty()) {
            var names = workers.stream().map(WorkerInfo::name).collect(java.util.stream.Collectors.toUnmodifiableSet());
            for (var l : workersListeners) {
                try {
                    l.read(names, sent);
                } catch (RuntimeException e) { // a listener's failure says nothing about Redis
                    LOG.warn("a workers listener failed: {}", Text.oneLine(String.valueOf(e)));
                }
            }
        }
        tellStalls(workers);
    }

    /** Tells this process's log (a {@code serve}, a console) when a worker starts or stops saying it cannot make progress. */
    private void tellStalls(List<WorkerInfo> live) {
        var seen = new java.util.HashSet<String>();
        for (var w : live) {
            seen.add(w.name());
            var said = stallsSaid.get(w.name());
            if (w.stalled() && !w.problems().equals(said) && (said == null || !sameKinds(said, w.problems()))) {
                LOG.warn("worker '{}' cannot make progress: {}", Text.oneLine(w.name()), Text.oneLine(String.join("; ", w.problems())));
            } else if (!w.stalled() && said != null) {
                LOG.info("worker '{}' makes progress again", Text.oneLine(w.name()));
            }
            if (w.stalled()) stallsSaid.put(w.name(), w.problems());
            else stallsSaid.remove(w.name());
        }
        stallsSaid.keySet().retainAll(seen);
    }

    /** The same problems, their figures aside (durations change on every beat). */
    private static boolean sameKinds(List<String> a, List<String> b) {
        return a.stream().map(RunMirror::kind).toList().equals(b.stream().map(RunMirror::kind).toList());
    }

    private static String kind(String problem) {
        return problem.replaceAll("[0-9.]+", "#");
    }

    /**
     * Looks at the stored version of runs shown active (a slice of them per pass, {@link VanishChecks}).
     * One whose record Redis no longer has (it restarted without its data): a worker that still runs it
     * writes it again when it has caught up; any other is shown LOST, here only, once
     * {@link VanishedRuns} finds no worker left that may write it back. One that Redis holds newer than
     * shown is read again: its change never reached this view. Pub/sub is at-most-once, and a connection
     * that stays up never makes the subscription catch up: in a cluster, a view subscribed on a node that
     * a failover made a replica hears its new master's messages over the cluster bus, and a message
     * published just before that master died may never cross it.
     */
    private void compareWithRecords() {
        var ask = vanishChecks.next(registry::activeIds, id -> registry.get(id).map(r -> r.status().isActive()).orElse(false));
        var stored = store.versions(ask);
        var absent = new ArrayList<String>();
        var behind = new ArrayList<String>();
        for (int i = 0; i < ask.size(); i++) {
            var id = ask.get(i);
            var v = stored.get(i);
            if (v == null) absent.add(id);
            else if (registry.get(id).map(r -> !r.isTerminal() && r.version() < v).orElse(false)) behind.add(id);
        }
        // Usually a change whose message is on its way (it is taken twice, harmlessly); else one that was missed.
        if (!behind.isEmpty()) store.loadEach(behind, registry::mirror);
        vanishChecks.found(absent);
        for (var id : vanished.lost(absent, System.nanoTime())) {
            registry.get(id).map(r -> RunStateMachine.apply(r, new RunEvent.Lost(id, "its record is gone from Redis", Instant.now())))
                    .ifPresent(lost -> {
                        registry.mirror(lost);
                        LOG.warn("run {} is gone from Redis: shown as LOST", id);
                    });
        }
    }

    /** Stops following: no more ticks, no subscription. The registry keeps what it has. */
    @Override
    public void close() {
        maintenance.shutdownNow();
        events.close();
    }
}
