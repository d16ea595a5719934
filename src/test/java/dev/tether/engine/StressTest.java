package dev.tether.engine;

import dev.tether.testing.Hang;

import dev.tether.api.Cancellation;
import dev.tether.graphs.BookWorkflowGraph;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.awaitility.Awaitility;
import org.bsc.langgraph4j.action.AsyncNodeActionWithConfig;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Races on purpose: many runs, cancels at random moments, several seeds; then the invariants. */
class StressTest {

    /**
     * Libraries start a few once-per-JVM threads on first use (e.g. a shared Cleaner); run one of
     * everything first so that the thread baselines below measure only what an engine leaves.
     */
    @org.junit.jupiter.api.BeforeAll
    static void warmUp() throws Exception {
        try (var fx = new EngineFixture(2, Duration.ofSeconds(1), new BookWorkflowGraph())) {
            var id = fx.engine.submit("book-workflow", null, Map.of("nodeMillis", 1, "maxRevisions", 0)).runId();
            fx.awaitTerminal(id);
            var cancelled = fx.engine.submit("book-workflow", null, Map.of("nodeMillis", 5_000)).runId();
            fx.awaitNode(cancelled, "outline");
            fx.engine.cancel(cancelled);
            fx.awaitTerminal(cancelled);
        }
        var pool = Executors.newFixedThreadPool(1);
        CompletableFuture.supplyAsync(() -> 1, pool).thenApply(x -> x).get();
        pool.shutdown();
        pool.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void cancelAllStopsAThousandRuns() throws Exception {
        int baseline = threadCount();
        try (var fx = new EngineFixture(8, Duration.ofSeconds(2), new BookWorkflowGraph())) {
            var ids = new ArrayList<String>();
            for (int i = 0; i < 1_000; i++) {
                ids.add(fx.engine.submit("book-workflow", null, Map.of("nodeMillis", 5_000)).runId());
            }
            Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> fx.engine.stats().busy() == 8);

            var cancelled = fx.engine.cancelAll(dev.tether.run.CancelRequest.DEFAULT);

            assertThat(cancelled).hasSize(1_000);
            for (var id : ids) assertThat(fx.awaitTerminal(id).status()).isEqualTo(RunStatus.CANCELLED);
            assertThat(fx.registry.counts().get(RunStatus.CANCELLED)).isEqualTo(1_000);
            assertThat(fx.registry.active()).isEmpty();
            // the 8 that were running stopped inside their node; the 992 queued never started
            assertThat(ids.stream().map(fx::run).filter(r -> r.startedAt() != null)).hasSize(8);
            assertThat(fx.saver.violations).isEmpty();
        }
        awaitThreadsBackTo(baseline);
    }

    /**
     * 10,000 runs of a three-node graph whose nodes block in sleeps, wait on the token, spin, or run
     * on another pool; about half are cancelled after a random delay (some before they start, some
     * inside a node, some at a boundary, some after they finished).
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 42, 20261124})
    void randomSubmitCancelInterleavingsKeepEveryInvariant(long seed) throws Exception {
        int baseline = threadCount();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        var random = new SplittableRandom(seed);
        var graph = TestGraph.linear("mixed",
                "sleep", (TestGraph.Body) s -> { Thread.sleep(0, 200_000); return Map.of(); },
                "token", (TestGraph.Body) s -> { Cancellation.current().sleep(Duration.ofNanos(150_000)); return Map.of(); },
                "remote", (AsyncNodeActionWithConfig<AgentState>) (state, config) -> {
                    var token = Cancellation.from(config);
                    return CompletableFuture.supplyAsync(() -> {
                        token.sleep(Duration.ofNanos(100_000));
                        return Map.<String, Object>of();
                    }, pool);
                });
        int runs = 10_000;
        List<String> ids = new ArrayList<>(runs);
        try (var fx = new EngineFixture(8, Duration.ofSeconds(3), graph)) {
            var canceller = Executors.newSingleThreadScheduledExecutor();
            try {
                for (int i = 0; i < runs; i++) {
                    var id = fx.submit("mixed");
                    ids.add(id);
                    if (random.nextInt(100) < 50) {
                        long delayMicros = random.nextInt(4) == 0 ? 0 : random.nextLong(3_000);
                        canceller.schedule(() -> fx.engine.cancel(id), delayMicros, TimeUnit.MICROSECONDS);
                    }
                    if ((i & 63) == 0) LockSupport.parkNanos(200_000); // let runs and cancels interleave
                }
                canceller.shutdown();
                assertThat(canceller.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
                for (var id : ids) fx.awaitTerminal(id);
            } finally {
                canceller.shutdownNow();
            }

            // every run ended, and ended in an honest state
            var snapshots = ids.stream().map(fx::run).toList();
            assertThat(snapshots).allSatisfy(r -> assertThat(r.status()).isIn(RunStatus.COMPLETED, RunStatus.CANCELLED));
            // the registry agrees with the runs
            assertThat(fx.registry.active()).isEmpty();
            assertThat(fx.registry.counts().get(RunStatus.COMPLETED) + fx.registry.counts().get(RunStatus.CANCELLED)).isEqualTo(runs);
            for (var r : snapshots) assertConsistent(r);
            // no checkpoint was written for a run after it was reported cancelled
            assertThat(fx.saver.violations).isEmpty();
            assertThat(snapshots.stream().filter(r -> r.status() == RunStatus.CANCELLED).count()).isGreaterThan(runs / 5);
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
        awaitThreadsBackTo(baseline);
    }

    private static void assertConsistent(RunSnapshot r) {
        switch (r.status()) {
            case COMPLETED -> {
                assertThat(r.steps()).as("completed run %s", r.runId()).isEqualTo(3);
                assertThat(r.timeline()).hasSize(3);
            }
            case CANCELLED -> {
                assertThat(r.cancelRequestedAt()).isNotNull();
                assertThat(r.endedAt()).isAfterOrEqualTo(r.cancelRequestedAt());
                if (r.startedAt() == null) assertThat(r.timeline()).isEmpty();
                assertThat(r.steps()).isLessThanOrEqualTo(3);
                assertThat(r.timeline()).allSatisfy(span -> assertThat(span.endedAt()).isNotNull());
            }
            default -> throw new AssertionError("unexpected " + r);
        }
        assertThat(r.endedAt()).isNotNull();
    }

    /**
     * Live threads, except the test framework's own worker pool ({@code ForkJoinPool-N-worker-M}),
     * which may add a worker while another test class runs beside this one.
     */
    static int threadCount() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !t.getName().matches("ForkJoinPool-\\d+-worker-\\d+")).count();
    }

    static void awaitThreadsBackTo(int baseline) {
        try {
            Awaitility.await("threads back to " + baseline).pollInSameThread().atMost(Hang.IN_PROCESS)
                    .until(() -> threadCount() <= baseline);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Thread.getAllStackTraces().keySet().forEach(t -> System.err.println("LIVE " + t));
            throw e;
        }
    }
}
