package dev.tether.engine;

import dev.tether.api.Cancellation;
import dev.tether.api.RunCancelledException;
import dev.tether.catalog.GraphCatalog;
import dev.tether.registry.RunRegistry;
import dev.tether.run.ErrorInfo;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.bsc.langgraph4j.GraphInput;
import org.bsc.langgraph4j.NodeOutput;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.action.AsyncNodeActionWithConfig;
import org.bsc.langgraph4j.state.AgentState;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs graphs on a fixed set of slot threads in this JVM. Each slot takes a job from the
 * {@link RunSource}, drives the graph itself (so it always knows the current node and step), and
 * reports every change to the {@link RunRegistry} as a {@link RunEvent}.
 *
 * <p>Cancel: a queued run never starts; a running run is stopped at the next node boundary, by
 * interrupting its thread and through its {@link Cancellation} token; it becomes CANCELLED only when
 * its thread and node futures are done, or STUCK when that takes longer than the grace. A STUCK run's
 * slot is replaced, so capacity survives threads that cannot be stopped.
 */
public final class LocalEngine implements RunEngine {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalEngine.class);
    private static final AtomicInteger ENGINES = new AtomicInteger();
    private static final Duration POLL = Duration.ofMillis(250);

    private final EngineConfig config;
    private final RunRegistry registry;
    private final RunSource source;
    private final LocalRunQueue localQueue;
    private final CompiledGraphs graphs;
    private final FencedCheckpointSaver saver;
    private final CheckpointRetention retention;
    private final ConcurrentHashMap<String, RunControl> controls = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Slot> slots = new CopyOnWriteArrayList<>();
    private final ScheduledThreadPoolExecutor watchdog;
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicInteger slotNumbers = new AtomicInteger();
    private final String threadPrefix;
    private volatile boolean shutdown;

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
        this.localQueue = source == null ? new LocalRunQueue(config.queueCapacity()) : null;
        this.source = source == null ? localQueue : source;
        this.saver = config.checkpointSaver() == null ? null : new FencedCheckpointSaver(config.checkpointSaver(), controls::get);
        this.retention = saver == null ? null : new CheckpointRetention(saver.delegate(), config.checkpointsKept());
        this.graphs = new CompiledGraphs(catalog, saver, config.recursionLimit(), this::wrapNode);
        this.threadPrefix = "tether-" + ENGINES.incrementAndGet() + "-";
        this.watchdog = new ScheduledThreadPoolExecutor(1, r -> {
            var t = new Thread(r, threadPrefix + "watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.setRemoveOnCancelPolicy(true);
        for (int i = 0; i < config.concurrency(); i++) startSlot();
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

    @Override
    public String mode() {
        return "embedded";
    }

    @Override
    public List<WorkerInfo> workers() {
        var s = stats();
        return List.of(new WorkerInfo(config.workerName(), HOST, ProcessHandle.current().pid(), List.of("(all)"),
                config.concurrency(), s.busy(), s.stuck(), startedAt, Instant.now()));
    }

    private final Instant startedAt = Instant.now();
    private static final String HOST = hostName();

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    @Override
    public RunSnapshot submit(String graphId, String queue, Map<String, Object> input) {
        if (shutdown) throw new IllegalStateException("engine is shutting down: no new runs");
        if (localQueue == null) throw new IllegalStateException("this engine takes runs from " + source + ", not submit()");
        var def = graphs.catalog().require(graphId);
        var merged = new LinkedHashMap<>(def.defaultInput());
        if (input != null) merged.putAll(input);
        var request = new RunRequest(RunIds.next(), graphId, queue == null || queue.isBlank() ? def.defaultQueue() : queue,
                merged, Instant.now());
        var control = new RunControl(request.runId());
        controls.put(request.runId(), control);
        if (!localQueue.offer(request)) { // refused before anything was registered: nothing to undo
            controls.remove(request.runId());
            throw new IllegalStateException(shutdown ? "engine is shutting down: no new runs"
                    : "run queue is full (" + config.queueCapacity() + " waiting); try again later");
        }
        // A slot may have adopted it already; then this is rejected and the current snapshot returned.
        var submitted = registry.apply(new RunEvent.Submitted(request.runId(), graphId, request.queue(), merged, request.submittedAt()));
        return submitted.current();
    }

    /** Registers a run that arrived from an external source (e.g. Redis) before it starts. */
    private RunControl adopt(RunRequest request) {
        var control = controls.computeIfAbsent(request.runId(), RunControl::new);
        if (registry.get(request.runId()).isEmpty()) {
            registry.apply(new RunEvent.Submitted(request.runId(), request.graphId(), request.queue(), request.input(),
                    request.submittedAt()));
        }
        return control;
    }

    @Override
    public CancelOutcome cancel(String runId) {
        var result = registry.apply(new RunEvent.CancelRequested(runId, Instant.now()));
        if (!result.applied()) {
            if (result.before() == null) return CancelOutcome.UNKNOWN_RUN;
            return result.before().status() == RunStatus.CANCELLING ? CancelOutcome.ALREADY_CANCELLING
                    : CancelOutcome.ALREADY_FINISHED;
        }
        var control = controls.get(runId);
        if (result.after().status() == RunStatus.CANCELLED) {
            // Was queued: it never starts. Its request stays in the queue (removing it is O(n));
            // the slot that takes it finds it cancelled and skips it in microseconds.
            if (control != null) {
                control.cancel();
                control.closeFence();
                controls.remove(runId, control);
                control.terminal.complete(result.after());
            }
            return CancelOutcome.CANCELLED_BEFORE_START;
        }
        if (control != null) {
            control.cancel();
            scheduleStuckCheck(control);
        }
        return CancelOutcome.CANCELLING;
    }

    @Override
    public List<String> cancelAll() {
        var ids = new ArrayList<String>();
        // Queued runs first: otherwise each running run we stop frees a slot for the next queued one.
        for (var run : registry.withStatus(RunStatus.QUEUED)) {
            if (cancel(run.runId()) == CancelOutcome.CANCELLED_BEFORE_START) ids.add(run.runId());
        }
        for (var run : registry.active()) {
            var outcome = cancel(run.runId());
            if (outcome == CancelOutcome.CANCELLING || outcome == CancelOutcome.CANCELLED_BEFORE_START) ids.add(run.runId());
        }
        return ids;
    }

    @Override
    public Optional<RunSnapshot> awaitTerminal(String runId, Duration timeout) throws InterruptedException {
        var control = controls.get(runId);
        if (control != null) {
            try {
                return Optional.of(control.terminal.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                return Optional.empty();
            } catch (java.util.concurrent.ExecutionException e) {
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

    @Override
    public EngineStats stats() {
        int stuck = (int) slots.stream().filter(s -> s.retired).count();
        return new EngineStats(config.concurrency(), busy.get() - stuck, localQueue == null ? 0 : localQueue.size(), stuck);
    }

    public EngineConfig config() {
        return config;
    }

    /** Checkpoint writes dropped because their run was already terminal (see {@link FencedCheckpointSaver}). */
    public long droppedCheckpoints() {
        return saver == null ? 0 : saver.dropped();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized ShutdownReport shutdown(Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        shutdown = true;
        source.close();
        var cancelled = cancelAll();
        for (var slot : slots) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            try {
                slot.thread.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        var notStopped = new ArrayList<String>();
        for (var slot : slots) {
            if (slot.thread.isAlive()) {
                var run = slot.runId;
                notStopped.add(run != null ? run : slot.thread.getName());
                slot.thread.interrupt(); // last word; daemon threads cannot keep the JVM alive
            }
        }
        watchdog.shutdownNow();
        try {
            watchdog.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        var report = new ShutdownReport(cancelled.size(), List.copyOf(notStopped), Duration.ofNanos(System.nanoTime() - start));
        if (report.clean()) LOG.info("engine shut down in {} ms, {} runs cancelled", report.took().toMillis(), report.cancelled());
        else LOG.warn("engine shut down with {} runs still running after {} ms: {}", notStopped.size(),
                report.took().toMillis(), notStopped);
        return report;
    }

    // ------------------------------------------------------------------ slots

    /** One executing thread. A retired slot belongs to a STUCK run and exits when (if) that run ends. */
    static final class Slot {
        final Thread thread;
        volatile boolean retired;
        volatile String runId;

        Slot(Thread thread) {
            this.thread = thread;
        }
    }

    private void startSlot() {
        var holder = new Slot[1];
        var thread = new Thread(() -> slotLoop(holder[0]), threadPrefix + "run-" + slotNumbers.incrementAndGet());
        thread.setDaemon(true); // a STUCK run must never keep the process alive
        holder[0] = new Slot(thread);
        slots.add(holder[0]);
        thread.start();
    }

    private void slotLoop(Slot slot) {
        try {
            while (!slot.retired && !shutdown) {
                Job job;
                try {
                    job = source.poll(POLL);
                } catch (InterruptedException e) {
                    if (shutdown) break;
                    continue;
                }
                if (job == null) {
                    if (source.isClosed()) break;
                    continue;
                }
                execute(job, slot);
            }
        } catch (Throwable t) {
            LOG.error("slot {} died", Thread.currentThread().getName(), t);
        } finally {
            slots.remove(slot);
        }
    }

    private void execute(Job job, Slot slot) {
        var request = job.request();
        var control = adopt(request);
        var started = registry.apply(new RunEvent.Started(request.runId(), config.workerName(), Instant.now()));
        if (!started.applied()) { // cancelled while queued, or already handled elsewhere
            controls.remove(request.runId(), control);
            var current = started.current();
            control.terminal.complete(current);
            if (current != null && current.isTerminal()) job.finished(current);
            return;
        }
        busy.incrementAndGet();
        slot.runId = request.runId();
        control.slot = slot;
        control.attach(Thread.currentThread());
        RunSnapshot terminal;
        try {
            terminal = drive(request, control);
        } finally {
            control.detach();
            slot.runId = null;
            busy.decrementAndGet();
        }
        controls.remove(request.runId(), control);
        if (terminal == null) terminal = registry.get(request.runId()).orElse(null);
        if (retention != null && terminal != null) {
            if (terminal.status() == RunStatus.COMPLETED) retention.completed(request.runId());
            else retention.keep(request.runId());
        }
        control.terminal.complete(terminal);
        if (terminal != null) job.finished(terminal);
    }

    /** Drives one run to its end; returns the terminal snapshot (null if another party ended it, e.g. STUCK). */
    private RunSnapshot drive(RunRequest request, RunControl control) {
        Throwable error = null;
        boolean reachedEnd = false;
        try {
            var compiled = graphs.get(request.graphId());
            var runConfig = RunnableConfig.builder()
                    .threadId(request.runId())
                    .addMetadata(Cancellation.CONFIG_KEY, control)
                    .build();
            reachedEnd = Cancellation.callWith(control, () -> iterate(compiled, request, runConfig, control));
        } catch (Throwable t) {
            error = t;
        }
        return finish(request, control, reachedEnd, error);
    }

    private boolean iterate(org.bsc.langgraph4j.CompiledGraph<?> compiled, RunRequest request, RunnableConfig runConfig,
                            RunControl control) throws Exception {
        var gen = compiled.stream(GraphInput.args(request.input()), runConfig);
        control.generator(gen);
        var it = gen.iterator();
        boolean end = false;
        while (!control.isCancelled() && it.hasNext()) {
            NodeOutput<?> out = it.next();
            if (StateGraph.END.equals(out.node())) end = true;
        }
        return end;
    }

    private RunSnapshot finish(RunRequest request, RunControl control, boolean reachedEnd, Throwable error) {
        var id = request.runId();
        var now = Instant.now();
        if (reachedEnd && error == null) { // it got to END first: say so, even if a cancel raced it
            control.closeFence();
            return registry.apply(new RunEvent.Completed(id, now)).after();
        }
        if (control.isCancelled()) {
            long deadline = control.cancelNanos + config.cancelGrace().toNanos();
            boolean stopped = control.awaitNodeFutures(deadline);
            control.closeFence();
            var event = stopped ? new RunEvent.Cancelled(id, control.currentNode, Instant.now())
                    : new RunEvent.Stuck(id, control.currentNode, Instant.now());
            var result = registry.apply(event);
            if (!stopped && result.applied()) LOG.warn("run {} did not stop within {} ms of its cancel: STUCK", id,
                    config.cancelGrace().toMillis());
            return result.after();
        }
        control.closeFence();
        if (error == null) {
            error = new IllegalStateException("graph stopped before reaching END");
        }
        if (error instanceof RunCancelledException) {
            error = new IllegalStateException("a node threw RunCancelledException but the run was not cancelled", error);
        }
        LOG.debug("run {} failed", id, error);
        return registry.apply(new RunEvent.Failed(id, ErrorInfo.of(error), now)).after();
    }

    private void scheduleStuckCheck(RunControl control) {
        try {
            watchdog.schedule(() -> declareStuckIfStillRunning(control), config.cancelGrace().toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: shutdown() reports what did not stop
        }
    }

    private void declareStuckIfStillRunning(RunControl control) {
        if (control.terminal.isDone()) return;
        control.closeFence();
        var result = registry.apply(new RunEvent.Stuck(control.runId, control.currentNode, Instant.now()));
        if (!result.applied()) return;
        LOG.warn("run {} ignored its cancel for {} ms (node {}): STUCK; its thread cannot be forced in-process",
                control.runId, config.cancelGrace().toMillis(), control.currentNode);
        var slot = control.slot;
        if (slot != null && !slot.retired && !shutdown) {
            slot.retired = true;
            startSlot(); // keep capacity: the stuck thread leaves when (if) its node returns
        }
        control.terminal.complete(result.after());
    }

    // ------------------------------------------------------------------ node hook

    /** Wraps every node: boundary check, current node and step, node futures, prompt cancel of async nodes. */
    private CompletableFuture<Map<String, Object>> wrapNode(String nodeId, AgentState state, RunnableConfig runConfig,
                                                            AsyncNodeActionWithConfig<AgentState> action) {
        var cancellation = Cancellation.from(runConfig);
        if (!(cancellation instanceof RunControl control)) {
            try {
                return action.apply(state, runConfig);
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        if (control.isCancelled()) { // node boundary: never start another node after a cancel
            return CompletableFuture.failedFuture(new RunCancelledException("run " + control.runId + " cancelled before node " + nodeId));
        }
        control.currentNode = nodeId;
        registry.apply(new RunEvent.NodeStarted(control.runId, nodeId, Instant.now()));
        CompletableFuture<Map<String, Object>> nodeFuture;
        try {
            nodeFuture = action.apply(state, runConfig);
        } catch (Throwable t) {
            nodeFuture = CompletableFuture.failedFuture(t);
        }
        if (nodeFuture.isDone()) { // synchronous node: the common, cheap path
            nodeFinished(control, nodeId, !nodeFuture.isCompletedExceptionally());
            return nodeFuture;
        }
        control.track(nodeFuture);
        // LangGraph4j chains its checkpoint write onto the future we return. Hand it a proxy that
        // fails at once on cancel, so the run stops now and no late checkpoint follows the node.
        var proxy = new CompletableFuture<Map<String, Object>>();
        var registration = control.onCancel(() -> proxy.completeExceptionally(
                new RunCancelledException("run " + control.runId + " cancelled in node " + nodeId)));
        nodeFuture.whenComplete((value, failure) -> {
            registration.close();
            nodeFinished(control, nodeId, failure == null);
            if (failure == null) proxy.complete(value);
            else proxy.completeExceptionally(failure);
        });
        return proxy;
    }

    private void nodeFinished(RunControl control, String nodeId, boolean ok) {
        registry.apply(new RunEvent.NodeFinished(control.runId, nodeId, ok, Instant.now()));
    }
}
