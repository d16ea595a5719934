package dev.tether.engine;

import dev.tether.api.Cancellation;
import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.process.ChildLauncher;
import dev.tether.engine.process.ChildPool;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelMode;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelOutcome;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunPolicy;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded engine's front end: submit, cancel (at a {@link StopLevel}), await, stats and
 * shutdown. Runs execute on a {@link SlotPool} of threads in this JVM; each slot hands its job to
 * the {@link JobExecutor}, which drives it on the slot thread ({@link ThreadRunDriver}) or in a warm
 * child JVM ({@link ProcessRunDriver}) as the graph's isolation says. Every change is reported to the
 * {@link RunRegistry} as a {@link RunEvent}.
 *
 * <p>Cancel: a queued run never starts; a running run is stopped at the next node boundary, by
 * interrupting its thread and through its {@link Cancellation} token; it becomes CANCELLED only when
 * its thread and node futures are done. After the grace a run on a thread becomes STUCK (its slot is
 * replaced); a run in a child JVM is killed and becomes CANCELLED (forced) once its processes are gone.
 */
public final class LocalEngine implements RunEngine {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalEngine.class);
    private static final AtomicInteger ENGINES = new AtomicInteger();
    private static final String HOST = hostName();

    private final EngineConfig config;
    private final RunRegistry registry;
    private final RunSource source;
    private final LocalRunQueue localQueue;
    private final CompiledGraphs graphs;
    private final FencedCheckpointSaver saver;
    private final CheckpointStore checkpoints;
    private final LiveRuns runs = new LiveRuns();
    private final SlotPool slots;
    private final StuckWatchdog watchdog;
    private final ChildPool children;
    private final PolicyWatch policyWatch;
    /** Retries scheduled and not started yet (their run ids), kept in {@link #retrySchedule} until they start or end. */
    private final java.util.Set<String> pendingRetries = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile RetrySchedule retrySchedule = RetrySchedule.NONE;
    private final JobExecutor executor;
    private final StartGate gate = new StartGate();
    private final Instant startedAt = Instant.now();
    /** Every thread this engine starts is named with it ("tether-N-"). */
    private final String threadPrefix;
    private volatile RunArchive archive = RunArchive.NONE;
    private volatile RunJournal journal = RunJournal.NONE;
    private volatile dev.tether.history.HistorySource history;
    private volatile boolean shutdown;
    /** Called by cancelAll before each of its cancels: the tests' way to force the interleavings it must survive. */
    volatile java.util.function.Consumer<String> beforeBulkCancel = runId -> {};

    /** An embedded engine with its own local queue. */
    public LocalEngine(EngineConfig config, GraphCatalog catalog, RunRegistry registry) {
        this(config, catalog, registry, null);
    }

    /**
     * @param source where jobs come from; null for the engine's own local queue (then
     *               {@link #submit} works; with an external source, runs arrive through it)
     */
    public LocalEngine(EngineConfig config, GraphCatalog catalog, RunRegistry registry, RunSource source) {
        this.config = config;
        this.registry = registry;
        this.localQueue = source == null ? new LocalRunQueue(config.queueCapacity(), new QueueHooks()) : null;
        this.source = source == null ? localQueue : source;
        this.checkpoints = config.checkpointSaver() == null ? null
                : SaverCheckpointStore.of(config.checkpointSaver(), config.checkpointsKept());
        this.saver = checkpoints == null ? null : new FencedCheckpointSaver(checkpoints, runs::get);
        this.graphs = new CompiledGraphs(catalog, saver, config.recursionLimit(), new NodeWrapper(registry)::wrap, config.policies());
        this.threadPrefix = "tether-" + ENGINES.incrementAndGet() + "-";
        this.policyWatch = new PolicyWatch(threadPrefix + "policy", this::cancel);
        var policy = config.isolation();
        this.children = policy.usesProcesses()
                ? new ChildPool(ChildLauncher.forCatalog(catalog, config.workerName()), config.concurrency()) : null;
        RunDriver onThread = new ThreadRunDriver(graphs, checkpoints, registry, this::graceOf);
        RunDriver inProcess = children == null ? null : new ProcessRunDriver(children, registry, checkpoints, saver, catalog);
        this.executor = new JobExecutor(registry, runs, config.workerName(), checkpoints,
                graphId -> inProcess != null && policy.of(graphId) == Isolation.PROCESS ? inProcess : onThread,
                policyWatch, this::cancel, gate, this::journal);
        // At most as many threads of STUCK runs as there are slots: past that, capacity shrinks instead.
        this.slots = new SlotPool(threadPrefix, this.source, executor, () -> shutdown, config.concurrency());
        this.watchdog = new StuckWatchdog(threadPrefix + "watchdog", registry, slots::retire);
        slots.start(config.concurrency());
        // A scheduled retry is kept (see retrySchedule) until it starts or ends; never on a run's own lock.
        registry.watch(change -> {
            var after = change.after();
            if (after != null && after.status() != RunStatus.QUEUED && pendingRetries.remove(after.runId())) {
                policyWatch.at(Instant.now(), () -> forgetRetry(after.runId()));
            }
        });
    }

    // ------------------------------------------------------------------ RunEngine

    @Override
    public RunRegistry registry() {
        return registry;
    }

    @Override
    public List<GraphInfo> graphs() {
        return graphs.infos();
    }

    public GraphCatalog catalog() {
        return graphs.catalog();
    }

    /** Compiles every graph now, so that the first run of each does not pay for it (a warm child does this). */
    public void prepareGraphs() {
        for (var def : graphs.catalog().all()) {
            try {
                graphs.get(def.id());
            } catch (Exception e) {
                LOG.warn("graph {} does not compile: {}", def.id(), e.toString());
            }
        }
    }

    @Override
    public String mode() {
        return "embedded";
    }

    @Override
    public List<WorkerInfo> workers() {
        var s = stats();
        return List.of(new WorkerInfo(config.workerName(), HOST, ProcessHandle.current().pid(), List.of("(all)"),
                s.capacity(), s.busy(), s.stuck(), startedAt, Instant.now()));
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    @Override
    public RunSnapshot submit(String graphId, String queue, Map<String, Object> input, RunPolicy policy) {
        if (shutdown) throw new IllegalStateException("engine is shutting down: no new runs");
        if (localQueue == null) throw new IllegalStateException("this engine takes runs from " + source + ", not submit()");
        var def = graphs.catalog().require(graphId);
        var merged = new LinkedHashMap<>(def.defaultInput());
        if (input != null) merged.putAll(input);
        InputLimit.require(merged);
        var q = queue == null || queue.isBlank() ? def.defaultQueue() : Names.require("queue", queue);
        var request = new RunRequest(RunIds.next(), graphId, q, merged, Instant.now(), null,
                config.policies().resolve(def, q, policy), null);
        return enqueue(request);
    }

    @Override
    public Map<String, RunPolicy> policies() {
        var out = new LinkedHashMap<String, RunPolicy>();
        for (var def : graphs.catalog().all()) out.put(def.id(), config.policies().resolve(def, def.defaultQueue(), null));
        return out;
    }

    private RunSnapshot enqueue(RunRequest request) {
        requireCapacity();
        // Through the gate: a shutdown that begins now waits for this run to be on record, and cancels it.
        if (!gate.enter()) throw new IllegalStateException("engine is shutting down: no new runs");
        RunSnapshot accepted;
        try {
            var control = runs.register(request.runId());
            if (!localQueue.offer(request)) { // refused before anything was registered: nothing to undo
                runs.remove(request.runId(), control);
                throw new IllegalStateException(shutdown ? "engine is shutting down: no new runs"
                        : "run queue is full (" + config.queueCapacity() + " waiting); try again later");
            }
            // A slot may have adopted it already; then this is rejected and the current snapshot returned.
            accepted = registry.apply(request.submitted()).current();
            policyWatch.queued(request);
        } finally {
            gate.exit();
        }
        journal(accepted);
        return accepted;
    }

    /**
     * On record before the submitter hears of the run, and again as it starts, before its first node.
     * Outside the start gate: a shutdown never waits for the disk. A newer state already written (the
     * run raced ahead) is kept, not replaced.
     */
    private void journal(RunSnapshot accepted) {
        try {
            journal.accepted(accepted);
        } catch (RuntimeException e) { // the history writer keeps it and complains (once a minute) while the store refuses
            LOG.debug("run {} is written behind: {}", accepted.runId(), e.getMessage());
        }
    }

    /**
     * Runs a cancel ended before they started, on record before the cancel is answered: a process
     * killed right after the answer must not leave them active, for the next start to call LOST.
     */
    private void journal(List<RunSnapshot> ended) {
        if (ended.isEmpty()) return;
        try {
            journal.acceptedAll(ended);
        } catch (RuntimeException e) { // written behind, as above
            LOG.debug("{} cancelled runs are written behind: {}", ended.size(), e.getMessage());
        }
    }

    /** Refuses a run no slot could take: every slot is held by a STUCK run, and no more are replaced. */
    private void requireCapacity() {
        if (slots.live() > 0) return;
        int stuck = slots.stuck();
        if (stuck == 0) return; // a slot being replaced right now: it takes the run in a moment
        throw new IllegalStateException("no slot can take a run: " + stuck + " STUCK runs hold this engine's threads (at most "
                + config.concurrency() + " are replaced); runs are taken again once one of them ends, or after a restart");
    }

    /** What the local queue asks: whether a job may still start (expired ones are stopped here), and every end. */
    private final class QueueHooks implements LocalRunQueue.Hooks {
        @Override
        public boolean startable(RunRequest request) {
            var expires = request.expiresAt();
            if (expires != null && !Instant.now().isBefore(expires)) {
                cancel(request.runId(), PolicyWatch.expired(request)); // a queued run: CANCELLED, never started
            }
            return registry.get(request.runId()).map(r -> r.status() == RunStatus.QUEUED).orElse(true);
        }

        @Override
        public void waiting(RunRequest request, String reason) {
            // a slot may take the job before its submit is on record: record it first, or the reason is lost
            if (registry.get(request.runId()).isEmpty()) registry.apply(request.submitted());
            registry.apply(new RunEvent.Waiting(request.runId(), reason, Instant.now()));
        }

        @Override
        public void ended(RunRequest request, RunSnapshot terminal) {
            retryAfter(terminal);
        }
    }

    // ------------------------------------------------------------------ retries

    /** Where scheduled retries are kept across restarts (the embedded store); call before {@link #restoreRetries}. */
    public void retrySchedule(RetrySchedule schedule) {
        this.retrySchedule = schedule == null ? RetrySchedule.NONE : schedule;
    }

    /** The retries a previous process scheduled and did not start: queued again, each when it falls due. */
    public void restoreRetries() {
        for (var retry : retrySchedule.pending()) {
            var known = registry.get(retry.runId());
            if (known.isPresent() && known.get().status() != RunStatus.QUEUED) {
                forgetRetry(retry.runId());
                continue;
            }
            schedule(retry);
        }
    }

    /** A run ended: if its policy retries that ending, its next attempt is scheduled after the backoff. */
    private void retryAfter(RunSnapshot ended) {
        if (ended == null || shutdown) return;
        RetryPlan.next(ended, Instant.now(), java.util.concurrent.ThreadLocalRandom.current().nextDouble()).ifPresent(retry -> {
            try {
                retrySchedule.add(retry);
            } catch (RuntimeException e) {
                LOG.warn("run {}: its retry is scheduled but would not survive a restart: {}", ended.runId(), e.getMessage());
            }
            schedule(retry);
            LOG.info("run {} ended {}: {} is {} (due {})", ended.runId(), ended.status(), retry.runId(), retry.retry().label(),
                    retry.retry().due());
        });
    }

    /** Registers a retry as QUEUED now (views show it, with its due time) and queues it when it falls due. */
    private void schedule(RunRequest retry) {
        // Through the start gate, as a submit: once a shutdown has begun the retry stays in the schedule
        // only (the next start restores it), never QUEUED here after the shutdown's cancels went out.
        if (!gate.enter()) return;
        try {
            var control = runs.register(retry.runId());
            if (control == null) return; // already here
            pendingRetries.add(retry.runId());
            var submitted = registry.apply(retry.submitted());
            if (!submitted.applied() && submitted.current() != null && submitted.current().status() != RunStatus.QUEUED) {
                runs.remove(retry.runId(), control);
                forgetRetry(retry.runId());
                return;
            }
            policyWatch.queued(retry);
            policyWatch.at(retry.due(), () -> offerRetry(retry, control));
        } finally {
            gate.exit();
        }
    }

    private void offerRetry(RunRequest retry, RunControl control) {
        if (shutdown) return;
        var now = registry.get(retry.runId()).orElse(null);
        if (now != null && now.status() != RunStatus.QUEUED) return; // cancelled (or expired) while it waited
        if (!localQueue.offer(retry)) { // the queue is full: try again in a second, it keeps its place in the schedule
            policyWatch.at(Instant.now().plusSeconds(1), () -> offerRetry(retry, control));
        }
    }

    private void forgetRetry(String runId) {
        pendingRetries.remove(runId);
        try {
            retrySchedule.remove(runId);
        } catch (RuntimeException e) {
            LOG.warn("run {}: could not remove its retry from the schedule: {}", runId, e.getMessage());
        }
    }

    @Override
    public RunSnapshot resume(String runId, String afterNode) {
        if (shutdown) throw new IllegalStateException("engine is shutting down: no new runs");
        if (localQueue == null) throw new IllegalStateException("this engine takes runs from " + source + ", not resume()");
        var old = registry.find(runId).or(() -> archive.find(runId))
                .orElseThrow(() -> new java.util.NoSuchElementException("no run " + runId));
        if (!old.isTerminal()) {
            throw new IllegalStateException("run " + old.shortId() + " is " + old.status() + ": cancel it before resuming it");
        }
        if (checkpoints == null) throw new IllegalStateException("this engine keeps no checkpoints: nothing to resume from");
        graphs.catalog().require(old.graphId());
        // Chosen (and checked readable) now, so that a bad --from is an error here rather than a failed run.
        var from = CheckpointStore.choose(old.runId(), checkpoints.describe(old.runId()), afterNode);
        // A person's resume starts its own count of attempts, under the policy the run had.
        var request = new RunRequest(RunIds.next(), old.graphId(), old.queue(), old.input(), Instant.now(),
                new dev.tether.run.ResumeOf(old.runId(), from.node(), from.id()), old.policy(), null);
        return enqueue(request);
    }

    /** In memory first, then in the durable history (a run of an earlier process, or of another sharing the store). */
    @Override
    public Optional<RunSnapshot> find(String reference) {
        var here = registry.find(reference);
        return here.isPresent() ? here : archive.find(reference);
    }

    @Override
    public List<CheckpointInfo> checkpoints(String runId) {
        return checkpoints == null ? List.of() : checkpoints.describe(runId);
    }

    /** Whether this engine keeps checkpoints (a rollback asks it to drop them). */
    public boolean keepsCheckpoints() {
        return checkpoints != null;
    }

    @Override
    public List<RunSnapshot> attempts(String runId) {
        return Attempts.of(runId, id -> registry.get(id).or(() -> archive.find(id)), registry);
    }

    @Override
    public CancelOutcome cancel(String runId, CancelRequest request) {
        var ended = new ArrayList<RunSnapshot>(1);
        var outcome = cancel(runId, request, ended);
        journal(ended);
        return outcome;
    }

    @Override
    public Map<String, CancelOutcome> cancelEach(Collection<String> runIds, CancelRequest request) {
        var outcomes = new LinkedHashMap<String, CancelOutcome>();
        var ended = new ArrayList<RunSnapshot>();
        for (var id : runIds) outcomes.put(id, cancel(id, request, ended));
        journal(ended);
        return outcomes;
    }

    /** One cancel; a run it ends before it started is added to {@code ended}, for the journal before the answer. */
    private CancelOutcome cancel(String runId, CancelRequest request, List<RunSnapshot> ended) {
        boolean rollback = request.mode() == CancelMode.ROLLBACK;
        if (rollback) {
            if (checkpoints == null) throw new UnsupportedOperationException("this engine keeps no checkpoints to roll back");
            var control = runs.get(runId);
            if (control != null) {
                control.rollback = true; // before the stop: the run's end reads it
                try { // and on record before the answer: an end found after a crash (LOST) honours it too
                    checkpoints.rollbackAsked(runId);
                } catch (RuntimeException e) {
                    LOG.warn("run {}: its rollback is not on record ({}); should this process die before the run ends, its checkpoints stay",
                            runId, dev.tether.logging.SafeText.line(e.getMessage(), 200));
                }
            }
        }
        var outcome = stop(runId, request, ended);
        if (rollback && outcome == CancelOutcome.ALREADY_FINISHED) {
            checkpoints.ended(runId, true, runs.ids()); // it ended before: discard what it kept
        }
        return outcome;
    }

    private CancelOutcome stop(String runId, CancelRequest request, List<RunSnapshot> ended) {
        var level = request.level();
        var result = registry.apply(new RunEvent.CancelRequested(runId, Instant.now(), request));
        var control = runs.get(runId);
        if (result.applied() && result.before().status() == RunStatus.CANCELLING) { // an escalation, now on record
            if (control != null && control.stop(level)) watchGrace(control, level, result.before().graphId());
            return CancelOutcome.ALREADY_CANCELLING;
        }
        if (!result.applied()) {
            if (result.before() == null) { // not in memory: a run of an earlier process has ended (the history says how)
                return archive.find(runId).filter(RunSnapshot::isTerminal).isPresent() ? CancelOutcome.ALREADY_FINISHED : CancelOutcome.UNKNOWN_RUN;
            }
            if (result.before().status() != RunStatus.CANCELLING) return CancelOutcome.ALREADY_FINISHED;
            if (control != null && control.stop(level)) watchGrace(control, level, result.before().graphId()); // an escalation
            return CancelOutcome.ALREADY_CANCELLING;
        }
        if (result.after().status() == RunStatus.CANCELLED) {
            // Was queued: it never starts. Its request stays in the queue (removing it is O(n));
            // the slot that takes it finds it cancelled and skips it in microseconds.
            ended.add(result.after());
            if (control != null) {
                control.cancel();
                control.closeFence();
                runs.remove(runId, control);
                control.terminal.complete(result.after());
            }
            return CancelOutcome.CANCELLED_BEFORE_START;
        }
        if (control != null) {
            control.stop(level);
            watchGrace(control, level, result.after().graphId());
        }
        return CancelOutcome.CANCELLING;
    }

    /**
     * After-node waits for the node however long it takes, and a kill of a process needs no grace;
     * everything else (a cancel, a kill of a run on a thread) gets the grace.
     */
    private void watchGrace(RunControl control, StopLevel level, String graphId) {
        if (level == StopLevel.AFTER_NODE || (level == StopLevel.KILL && control.isRemote())) return;
        watchdog.watch(control, graceOf(graphId));
    }

    /** The graph's own grace (isolation.properties), else the engine's. */
    private Duration graceOf(String graphId) {
        return config.isolation().graceOf(graphId, config.cancelGrace());
    }

    @Override
    public List<String> cancelAll(CancelRequest request) {
        return cancelAll(request, true);
    }

    /**
     * @param onRecord whether the queued runs it ends are written before it returns; a shutdown's are
     *                 not (it never waits for the disk: the history's last flush at exit writes them)
     */
    private List<String> cancelAll(CancelRequest request, boolean onRecord) {
        var ids = new java.util.LinkedHashSet<String>();
        var ended = new ArrayList<RunSnapshot>();
        // Queued runs first: otherwise each running run we stop frees a slot for the next queued one.
        // A queued run may start before its cancel arrives (CANCELLING then): it counts all the same,
        // and the second pass, which would find it ALREADY_CANCELLING, skips it.
        for (var run : registry.withStatus(RunStatus.QUEUED)) {
            beforeBulkCancel.accept(run.runId());
            var outcome = cancel(run.runId(), request, ended);
            if (outcome == CancelOutcome.CANCELLED_BEFORE_START || outcome == CancelOutcome.CANCELLING) ids.add(run.runId());
        }
        for (var run : registry.active()) {
            if (ids.contains(run.runId())) continue;
            beforeBulkCancel.accept(run.runId());
            var outcome = cancel(run.runId(), request, ended);
            if (outcome == CancelOutcome.CANCELLING || outcome == CancelOutcome.CANCELLED_BEFORE_START) ids.add(run.runId());
        }
        if (onRecord) journal(ended);
        return List.copyOf(ids);
    }

    @Override
    public Optional<RunSnapshot> awaitTerminal(String runId, Duration timeout) throws InterruptedException {
        var control = runs.get(runId);
        if (control != null) {
            try {
                return Optional.of(control.terminal.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                return Optional.empty();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        var snap = registry.get(runId);
        return snap.filter(RunSnapshot::isTerminal).or(() -> snap.isEmpty() ? Optional.empty()
                : waitInRegistry(runId, timeout));
    }

    private Optional<RunSnapshot> waitInRegistry(String runId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            var s = registry.get(runId);
            if (s.isEmpty() || s.get().isTerminal()) return s;
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Capacity is the slots that really live: a STUCK run's retired slot is counted as stuck, not as capacity. */
    @Override
    public EngineStats stats() {
        return new EngineStats(slots.live(), slots.busy(), localQueue == null ? 0 : localQueue.size(), slots.stuck());
    }

    @Override
    public java.util.Set<String> runsOnThreads() {
        return slots.executing();
    }

    public EngineConfig config() {
        return config;
    }

    /** The start of the name of every thread this engine starts (its slots, its watchdog). */
    String threadPrefix() {
        return threadPrefix;
    }

    /**
     * A run of an earlier process ended without this engine (it was killed; the history found it
     * LOST): its checkpoints stay for a resume, now under the store's retention like any ended run's.
     */
    public void ended(String runId) {
        if (checkpoints == null || runs.get(runId) != null) return;
        try {
            checkpoints.ended(runId, false, runs.ids());
        } catch (RuntimeException e) {
            LOG.warn("run {}: its checkpoints could not be put under retention: {}", runId, e.getMessage());
        }
    }

    /** Where runs no longer in the registry are looked up (the durable history), e.g. to resume them. */
    public void archive(RunArchive archive) {
        this.archive = archive == null ? RunArchive.NONE : archive;
    }

    public RunArchive archive() {
        return archive;
    }

    /** Where each run is written durably before {@link #submit} or {@link #resume} returns it (the durable history). */
    public void journal(RunJournal journal) {
        this.journal = journal == null ? RunJournal.NONE : journal;
    }

    /** Where {@link #history} pages come from (the durable store); null for the runs in memory. */
    public void historySource(dev.tether.history.HistorySource source) {
        this.history = source;
    }

    @Override
    public dev.tether.history.HistoryPage history(dev.tether.history.HistoryQuery query) {
        var source = history;
        return source == null ? RunEngine.super.history(query) : source.page(query);
    }

    /** Checkpoint writes dropped because their run was already terminal (see {@link FencedCheckpointSaver}). */
    public long droppedCheckpoints() {
        return saver == null ? 0 : saver.dropped();
    }

    /** The warm child JVMs of process isolation; empty when every graph runs on threads. */
    public Optional<ChildPool> childPool() {
        return Optional.ofNullable(children);
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public ShutdownReport shutdown(Duration timeout) {
        return shutdown(timeout, CancelOrigin.SHUTDOWN);
    }

    @Override
    public synchronized ShutdownReport shutdown(Duration timeout, CancelOrigin origin) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        shutdown = true;
        executor.shutdownOrigin(origin);
        gate.close(); // from here no run is queued or started: whatever got in is on record for the cancel below
        source.close();
        var cancelled = cancelAll(CancelRequest.by(origin), false);
        slots.join(deadline);
        if (children != null) {
            // The deadline has come (or every run stopped): what still runs in a child is killed now,
            // and its slot reports it (CANCELLED, forced) once the processes are gone.
            children.close();
            slots.join(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
        }
        // Given up: a run on a thread that ignored its cancel for the whole timeout is STUCK now, not
        // left CANCELLING for the next start to call LOST ("ended without finishing it").
        for (var control : runs.controls()) watchdog.giveUp(control, Duration.ofNanos(System.nanoTime() - start));
        var notStopped = slots.notStopped();
        watchdog.shutdown();
        policyWatch.shutdown();
        // A run a slot took in the moment the gate closed is cancelled by that slot, and the cancel-all may
        // have found it ended already: it was stopped by this shutdown all the same (the slots have joined).
        var stopped = new java.util.LinkedHashSet<>(cancelled);
        stopped.addAll(executor.cancelledAtShutdown());
        var report = new ShutdownReport(stopped.size(), List.copyOf(notStopped), Duration.ofNanos(System.nanoTime() - start));
        if (report.clean()) LOG.info("engine shut down in {} ms, {} runs cancelled", report.took().toMillis(), report.cancelled());
        else LOG.warn("engine shut down with {} runs still running after {} ms: {}", notStopped.size(),
                report.took().toMillis(), notStopped);
        return report;
    }
}
