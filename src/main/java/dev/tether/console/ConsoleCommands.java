package dev.tether.console;
import dev.tether.engine.RunEngine;
import dev.tether.run.CancelOutcome;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunSnapshot;
import javafx.application.Platform;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * What the console asks of the engine. Calls leave the FX thread (a remote engine may block on the
 * network); outcomes come back on the FX thread. User actions are rare, so one hop each is fine.
 */
final class ConsoleCommands implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConsoleCommands.class);

    private final RunEngine engine;
    private final Consumer<String> onError;
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("tether-console-command-", 0).factory());

    ConsoleCommands(RunEngine engine, Consumer<String> onError) {
        this.engine = engine;
        this.onError = onError;
    }

    // ---- queries the clock tick polls: local reads of the registry and the engine's counters

    java.util.Map<dev.tether.run.RunStatus, Integer> counts() {
        return engine.registry().counts();
    }

    int activeCount() {
        int n = 0; // from the counts kept with each change: no list of every active run made (and sorted) to count it
        for (var s : dev.tether.run.RunStatus.values()) if (s.isActive()) n += engine.registry().count(s);
        return n;
    }

    dev.tether.engine.EngineStats stats() {
        return engine.stats();
    }

    /** Queued runs the engine knows of but the console does not hold (over Redis, beyond the first in line). */
    long queuedNotShown() {
        return engine.queuedNotShown();
    }

    String mode() {
        return engine.mode();
    }

    /** The runs this process's threads are executing (a STUCK run's until its node returns). */
    java.util.Set<String> runsOnThreads() {
        return engine.runsOnThreads();
    }

    boolean connected() {
        return engine.connected();
    }

    boolean loading() {
        return engine.loading();
    }

    private volatile CompletableFuture<List<dev.tether.engine.GraphInfo>> graphs;
    private static final java.time.Duration GRAPHS_TIMEOUT = java.time.Duration.ofSeconds(30);

    /**
     * The graphs that can be submitted, described once off the FX thread: describing them builds
     * every graph, and a plugin's {@code build()} may take its time (or never return).
     */
    CompletableFuture<List<dev.tether.engine.GraphInfo>> graphs() {
        var g = graphs;
        if (g == null || g.isCompletedExceptionally()) {
            synchronized (this) {
                g = graphs;
                if (g == null || g.isCompletedExceptionally()) {
                    graphs = g = call(engine::graphs, "list graphs").orTimeout(GRAPHS_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                    g.whenComplete((list, error) -> {
                        if (error instanceof java.util.concurrent.TimeoutException) {
                            Platform.runLater(() -> onError.accept("describing the graphs took over " + GRAPHS_TIMEOUT.toSeconds()
                                    + " s (a plugin's build() is slow); Submit tries again"));
                        }
                    });
                }
            }
        }
        return g;
    }

    CompletableFuture<RunSnapshot> submit(String graphId, String queue, Map<String, Object> input) {
        return submit(graphId, queue, input, null);
    }

    /** @param policy the run's own limits (null: none), over its graph's and queue's */
    CompletableFuture<RunSnapshot> submit(String graphId, String queue, Map<String, Object> input, dev.tether.run.RunPolicy policy) {
        return call(() -> engine.submit(graphId, queue, input, policy), "submit " + graphId);
    }

    /**
     * Stops each run as {@code request} says (its level escalates a run already being cancelled; its
     * mode keeps or discards the checkpoints); one outcome per run, in order.
     */
    CompletableFuture<List<CancelOutcome>> cancel(Collection<String> runIds, CancelRequest request) {
        var ids = List.copyOf(runIds);
        return call(() -> ids.stream().map(id -> engine.cancel(id, request)).toList(),
                request.level().label() + (request.mode() == dev.tether.run.CancelMode.ROLLBACK ? " (rollback)" : ""));
    }

    /** A new attempt of a finished run from its checkpoint after {@code node} (null: the latest). */
    CompletableFuture<RunSnapshot> resume(String runId, String node) {
        return call(() -> engine.resume(runId, node), "resume " + runId.substring(Math.max(0, runId.length() - 8)));
    }

    /** A run's checkpoints and attempts, read off the FX thread; a failure reads as none (logged). */
    CompletableFuture<DetailsModel.Resumption> resumption(String runId) {
        var result = new CompletableFuture<DetailsModel.Resumption>();
        executor.execute(() -> {
            try {
                result.complete(new DetailsModel.Resumption(runId, engine.checkpoints(runId), engine.attempts(runId)));
            } catch (RuntimeException e) {
                LOG.debug("checkpoints of {}: {}", runId, e.toString());
                result.complete(new DetailsModel.Resumption(runId, List.of(), List.of()));
            }
        });
        return result;
    }

    /**
     * Whether stopping {@code run} at {@code level} can still change anything: a queued or running
     * run at any level; a run already being cancelled only by a cancel or a kill (escalated, never softened).
     */
    static boolean reaches(RunSnapshot run, dev.tether.run.StopLevel level) {
        return run.isCancellable()
                || (level != dev.tether.run.StopLevel.AFTER_NODE && run.status() == dev.tether.run.RunStatus.CANCELLING);
    }

    /** Each graph's run policy with where each value comes from, read off the FX thread. */
    CompletableFuture<Map<String, dev.tether.run.RunPolicy>> policies() {
        return call(engine::policies, "read the run policies");
    }

    CompletableFuture<List<dev.tether.engine.WorkerInfo>> workers() {
        var result = new CompletableFuture<List<dev.tether.engine.WorkerInfo>>();
        executor.execute(() -> {
            try {
                result.complete(engine.workers());
            } catch (RuntimeException e) { // shown as "disconnected" by the mode badge; not worth a notification
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** A page of history, read off the FX thread (the store or Redis); a failure is the future's, shown by the panel. */
    CompletableFuture<dev.tether.history.HistoryPage> history(dev.tether.history.HistoryQuery query) {
        var result = new CompletableFuture<dev.tether.history.HistoryPage>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(engine.history(query));
                } catch (RuntimeException e) {
                    LOG.warn("reading the history failed: {}", e.getMessage());
                    result.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            result.completeExceptionally(closing);
        }
        return result;
    }

    /** How long a bulk cancel waits for its runs' outcomes (a STUCK verdict comes after the grace). */
    static final java.time.Duration BULK_WAIT = java.time.Duration.ofSeconds(30);

    /** Cancels every active run; the report comes once each has stopped, become STUCK, or the wait ended. */
    CompletableFuture<dev.tether.engine.BulkCancelReport> cancelAll() {
        return call(() -> dev.tether.engine.BulkCancel.all(engine, CancelRequest.by(dev.tether.run.CancelOrigin.CONSOLE), BULK_WAIT), "cancel all");
    }

    /** Cancels the runs named, with a report as for {@link #cancelAll()}. */
    CompletableFuture<dev.tether.engine.BulkCancelReport> cancelSelected(Collection<String> runIds) {
        var ids = List.copyOf(runIds);
        return call(() -> dev.tether.engine.BulkCancel.of(engine, ids, CancelRequest.by(dev.tether.run.CancelOrigin.CONSOLE),
                BULK_WAIT), "cancel selected");
    }

    private <T> CompletableFuture<T> call(java.util.concurrent.Callable<T> action, String what) {
        var result = new CompletableFuture<T>();
        executor.execute(() -> {
            try {
                result.complete(action.call());
            } catch (Exception e) {
                LOG.warn("{} failed: {}", what, e.getMessage());
                Platform.runLater(() -> onError.accept(what + " failed: " + e.getMessage()));
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
