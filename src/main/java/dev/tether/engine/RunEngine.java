package dev.tether.engine;

import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelMode;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelOutcome;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunPolicy;
import dev.tether.run.RunSnapshot;
import dev.tether.run.StopLevel;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the console, the command line and the control API drive: submit, observe, cancel. The
 * embedded engine runs graphs in this JVM; the Redis client hands them to workers. Both report
 * through a {@link RunRegistry}.
 */
public interface RunEngine extends AutoCloseable {
    Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    RunRegistry registry();

    List<GraphInfo> graphs();

    /** Queues a run under the policy its graph and queue give it (see {@link #submit(String, String, Map, RunPolicy)}). */
    default RunSnapshot submit(String graphId, String queue, Map<String, Object> input) {
        return submit(graphId, queue, input, null);
    }

    /**
     * Queues a run.
     *
     * @param queue  null for the graph's (routed) default queue
     * @param input  merged over the graph's default input
     * @param policy the run's own limits (null: none), over its graph's, its queue's and its definition's
     * @throws IllegalArgumentException for an unknown graph or bad input
     * @throws IllegalStateException when the engine is shutting down or its queue is full
     */
    RunSnapshot submit(String graphId, String queue, Map<String, Object> input, RunPolicy policy);

    /** The policy each graph's runs get when a submit sets none, with where each value comes from. */
    default Map<String, RunPolicy> policies() {
        var out = new java.util.LinkedHashMap<String, RunPolicy>();
        for (var g : graphs()) out.put(g.id(), g.policy() == null ? RunPolicy.NONE : g.policy());
        return out;
    }

    /** The plain cancel: level cancel, nobody said who asked, checkpoints kept. */
    default CancelOutcome cancel(String runId) {
        return cancel(runId, CancelRequest.DEFAULT);
    }

    /**
     * The cancel every surface comes to (console, command line, API, Redis cancel record, shutdown,
     * signals, run policies): at the request's {@link StopLevel} (on a run already being cancelled, a
     * stronger level escalates it), recorded as asked by its origin for its reason, keeping the run's
     * checkpoints ({@link CancelMode#INTERRUPT}) or discarding them once it has stopped
     * ({@link CancelMode#ROLLBACK}). An engine that cannot tell levels apart treats each as a cancel.
     *
     * @throws UnsupportedOperationException for a rollback on an engine that keeps no checkpoints
     */
    CancelOutcome cancel(String runId, CancelRequest request);

    /**
     * {@link #cancel(String, CancelRequest)} for each of {@code runIds}, in order; the outcome of each.
     * An engine with a journal answers once every run this ended before it started is on record,
     * written together (one transaction, not one per run).
     */
    default Map<String, CancelOutcome> cancelEach(java.util.Collection<String> runIds, CancelRequest request) {
        var outcomes = new java.util.LinkedHashMap<String, CancelOutcome>();
        for (var id : runIds) outcomes.put(id, cancel(id, request));
        return outcomes;
    }

    /**
     * Starts a new attempt of a finished run from its checkpoint after {@code afterNode} (its latest
     * complete one when null): only the nodes after it run again. The attempt is a new run whose
     * {@code resumeOf} names this one.
     *
     * @throws java.util.NoSuchElementException for an unknown run
     * @throws IllegalArgumentException         when it has no (readable) checkpoint there; the message lists where it can resume
     * @throws IllegalStateException            when the run is still active, or the engine cannot take runs now
     */
    default RunSnapshot resume(String runId, String afterNode) {
        throw new UnsupportedOperationException("this engine cannot resume runs");
    }

    /** A run's checkpoints, oldest first (empty when it has none or the engine keeps none). */
    default List<CheckpointInfo> checkpoints(String runId) {
        return List.of();
    }

    /** Every attempt of the run's chain (first attempt and its resumes) this engine can find, oldest first. */
    default List<RunSnapshot> attempts(String runId) {
        return Attempts.of(runId, id -> registry().get(id), registry());
    }

    /** The active runs as the engine knows them now (a view that mirrors nothing reads them where they live). */
    default List<RunSnapshot> activeRuns() {
        return registry().active();
    }

    /** A page of the active runs in id (submission) order; an engine that mirrors nothing reads it where the runs live. */
    default dev.tether.run.ActivePage active(dev.tether.run.ActiveQuery query) {
        return query.pageOf(activeRuns());
    }

    /** One run as the engine knows it now, by full id. */
    default Optional<RunSnapshot> run(String runId) {
        return registry().get(runId);
    }

    /**
     * One run by a reference as people type it (full id, short id, or a start of at least 8
     * characters), wherever the engine keeps runs: in memory, and for an engine with a durable history
     * there too, so that a run the history lists is found by the same id.
     *
     * @throws IllegalArgumentException when the reference is too short or matches several runs
     */
    default Optional<RunSnapshot> find(String reference) {
        return registry().find(reference);
    }

    /** Cancels every active run (queued ones first) as {@code request} says; returns the ids a cancel was sent to. */
    List<String> cancelAll(CancelRequest request);

    /** The ids of every active run, queued ones first (the order a bulk cancel takes them in). */
    default List<String> activeIdsQueuedFirst() {
        var active = new java.util.ArrayList<>(activeRuns());
        active.sort((a, b) -> Boolean.compare(a.status() != dev.tether.run.RunStatus.QUEUED, b.status() != dev.tether.run.RunStatus.QUEUED));
        return active.stream().map(RunSnapshot::runId).toList();
    }

    /** Queued runs this engine knows of but does not hold in its registry (a console over Redis holds the first ones); 0 by default. */
    default long queuedNotShown() {
        return 0;
    }

    /** Waits until the run is terminal; empty on timeout. */
    Optional<RunSnapshot> awaitTerminal(String runId, Duration timeout) throws InterruptedException;

    EngineStats stats();

    /**
     * The runs a thread of this process is executing now, terminal ones included: a STUCK run stays
     * here until its node returns (its thread cannot be forced), then leaves. Empty for an engine
     * whose runs execute elsewhere.
     */
    default java.util.Set<String> runsOnThreads() {
        return java.util.Set.of();
    }

    /** Where runs execute: "embedded", or the Redis address without credentials. */
    String mode();

    /**
     * What an operator should fix where runs execute, one line each, found as the engine started (a Redis
     * that would evict keys once full); none by default. A console shows each as it opens.
     */
    default List<String> warnings() {
        return List.of();
    }

    /**
     * Whether the engine can reach where its runs execute right now. Always true for the embedded
     * engine; a remote one reports a lost connection here while it reconnects (views show it).
     */
    default boolean connected() {
        return true;
    }

    /** Whether it is still loading the runs it shows (a view over a remote engine, just started); not connected meanwhile. */
    default boolean loading() {
        return false;
    }

    /**
     * Begins loading the runs it shows, for an engine made to load only when asked (the console's view
     * of Redis, asked once its window is shown); nothing for any other, and nothing the second time.
     */
    default void startLoading() {
    }

    /**
     * A page of run history, newest first. By default the runs this engine holds in memory; an engine
     * with a durable history (the embedded store, Redis) pages that instead.
     */
    default dev.tether.history.HistoryPage history(dev.tether.history.HistoryQuery query) {
        return dev.tether.history.InMemoryHistory.page(registry().all(), query);
    }

    /** Where runs execute: this process's slots, or every live worker's heartbeat. */
    default List<WorkerInfo> workers() {
        return List.of();
    }

    /**
     * Whether this engine's runs live and die with it (embedded), rather than on workers elsewhere:
     * closing an owning engine cancels its runs; closing a view of remote workers only disconnects.
     */
    default boolean ownsRuns() {
        return true;
    }

    /**
     * Cancels everything, waits up to {@code timeout} for runs to stop, then gives up on the rest
     * (reported, never shown as cancelled) and releases every thread the engine owns.
     */
    ShutdownReport shutdown(Duration timeout);

    /** {@link #shutdown(Duration)}, its cancels recorded as asked by {@code origin} (a shutdown or a signal). */
    default ShutdownReport shutdown(Duration timeout, CancelOrigin origin) {
        return shutdown(timeout);
    }

    boolean isShutdown();

    @Override
    default void close() {
        shutdown(DEFAULT_SHUTDOWN_TIMEOUT);
    }
}
