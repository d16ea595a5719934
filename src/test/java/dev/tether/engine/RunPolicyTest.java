package dev.tether.engine;

import dev.tether.testing.Hang;

import dev.tether.api.Cancellation;
import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.policy.PolicyBook;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelOrigin;
import dev.tether.run.RunPolicy;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import org.awaitility.Awaitility;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.checkpoint.MemorySaver;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncEdgeAction.edge_async;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * Run policies on the embedded engine (thread mode): each limit stops the run through the same path as
 * a person's cancel and records why; retries resume after the last good node; concurrency limits keep
 * runs queued in order. The same promises against real processes: PolicyProcessTest, RedisPolicyTest.
 */
class RunPolicyTest {
    private final List<LocalEngine> engines = new ArrayList<>();
    private final List<String> executed = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        engines.forEach(e -> e.shutdown(Duration.ofSeconds(10)));
    }

    private LocalEngine engine(int concurrency, GraphDefinition... graphs) {
        var config = EngineConfig.defaults().withConcurrency(concurrency).withCancelGrace(Duration.ofSeconds(2))
                .withCheckpointSaver(new MemorySaver());
        var engine = new LocalEngine(config, GraphCatalog.of(List.of(graphs)), new RunRegistry());
        engines.add(engine);
        return engine;
    }

    private static RunSnapshot await(LocalEngine engine, String id) throws InterruptedException {
        return engine.awaitTerminal(id, Hang.IN_PROCESS).orElseThrow(() -> new AssertionError("not terminal: " + engine.run(id)));
    }

    private static RunPolicy policy(String... keysAndValues) {
        var m = new java.util.LinkedHashMap<String, String>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put(keysAndValues[i], keysAndValues[i + 1]);
        return RunPolicy.of(m);
    }

    private TestGraph sleeper(String id, Duration nodeTime) {
        return TestGraph.linear(id, "a", (TestGraph.Body) s -> {
            executed.add("a");
            return Map.of();
        }, "slow", (TestGraph.Body) s -> {
            executed.add("slow");
            Cancellation.current().sleep(nodeTime);
            return Map.of();
        });
    }

    @Test
    void aMaxRuntimeStopsACooperativeRunAsACancelWouldAndSaysWhy() throws Exception {
        var engine = engine(1, sleeper("sleepy", Duration.ofSeconds(30)));
        var id = engine.submit("sleepy", null, Map.of(), policy("max-runtime", "300ms")).runId();
        var end = await(engine, id);
        assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(end.cancelOrigin()).isEqualTo(CancelOrigin.DEADLINE);
        assertThat(end.cancelReason()).isEqualTo("max-runtime 300ms");
        assertThat(end.stopLevel()).isEqualTo(StopLevel.CANCEL);
        assertThat(end.cancelledAtNode()).isEqualTo("slow");
        assertThat(Duration.between(end.startedAt(), end.cancelRequestedAt())).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(end.policy().sources()).containsEntry("max-runtime", RunPolicy.FROM_RUN);
    }

    @Test
    void aMaxNodeTimeStopsTheNodeThatRanTooLongNotTheRunThatRanLong() throws Exception {
        var counter = new AtomicInteger();
        var graph = TestGraph.linear("steady",
                "n1", (TestGraph.Body) s -> nap(counter, 150), "n2", (TestGraph.Body) s -> nap(counter, 150),
                "n3", (TestGraph.Body) s -> nap(counter, 150), "stuck", (TestGraph.Body) s -> nap(counter, 30_000));
        var engine = engine(1, graph);
        var id = engine.submit("steady", null, Map.of(), policy("max-node-time", "400ms")).runId();
        var end = await(engine, id);
        assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(end.cancelOrigin()).isEqualTo(CancelOrigin.NODE_DEADLINE);
        assertThat(end.cancelReason()).isEqualTo("max-node-time 400ms (node stuck)");
        assertThat(end.steps()).as("the three quick nodes, together longer than the limit, all completed").isEqualTo(3);
    }

    private static Map<String, Object> nap(AtomicInteger counter, long millis) {
        counter.incrementAndGet();
        Cancellation.current().sleep(Duration.ofMillis(millis));
        return Map.of();
    }

    /** A graph whose one node loops back to itself forever. */
    static final class Looping implements GraphDefinition {
        final AtomicInteger executions = new AtomicInteger();

        @Override public String id() { return "looping"; }
        @Override public String title() { return "Looping"; }
        @Override public String description() { return "loops forever"; }

        @Override
        public StateGraph<AgentState> build() throws GraphStateException {
            return new StateGraph<>(AgentState::new)
                    .addNode("spin", node_async(s -> {
                        executions.incrementAndGet();
                        return Map.of();
                    }))
                    .addEdge(START, "spin")
                    .addConditionalEdges("spin", edge_async(s -> "again"), Map.of("again", "spin", "done", END));
        }
    }

    @Test
    void aStepLimitStopsALoopingGraphAtTheNodeBoundaryWithItsOwnStop() throws Exception {
        var looping = new Looping();
        var engine = engine(1, looping);
        // above LangGraph4j's recursion limit (100 here): Tether's stop, not the library's failure
        var id = engine.submit("looping", null, Map.of(), policy("max-steps", "150")).runId();
        var end = await(engine, id);
        assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(end.cancelOrigin()).isEqualTo(CancelOrigin.STEP_LIMIT);
        assertThat(end.cancelReason()).isEqualTo("max-steps 150");
        assertThat(end.stopLevel()).isEqualTo(StopLevel.AFTER_NODE);
        assertThat(end.steps()).isEqualTo(150);
        assertThat(looping.executions.get()).as("node executions").isEqualTo(150);
    }

    @Test
    void aRetryAfterATransientFailureRunsOnlyTheFailedNodeAndTheOnesAfter() throws Exception {
        var failures = new AtomicInteger(1);
        var graph = TestGraph.linear("flaky",
                "first", body("first"),
                "middle", (TestGraph.Body) s -> {
                    executed.add("middle");
                    if (failures.getAndDecrement() > 0) throw new java.io.IOException("connection reset");
                    return Map.of("middle", s.value("first").orElse("missing"));
                },
                "last", body("last"));
        var engine = engine(1, graph);
        var first = engine.submit("flaky", null, Map.of(), policy("retries", "3", "retry-delay", "50ms")).runId();
        assertThat(await(engine, first).status()).isEqualTo(RunStatus.FAILED);
        var second = Awaitility.await().atMost(Hang.IN_PROCESS)
                .until(() -> engine.registry().select(r -> r.retry() != null && r.retry().previous().equals(first)), l -> !l.isEmpty())
                .getFirst();
        assertThat(second.retry().attempt()).isEqualTo(2);
        assertThat(second.retry().attempts()).isEqualTo(4);
        assertThat(second.retry().label()).isEqualTo("attempt 2 of 4");
        assertThat(second.retry().after()).isEqualTo("FAILED: IOException: connection reset");
        assertThat(second.resumeOf().runId()).isEqualTo(first);
        var end = await(engine, second.runId());
        assertThat(end.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(executed).containsExactly("first", "middle", "middle", "last");
        assertThat(engine.attempts(first)).extracting(RunSnapshot::runId).containsExactly(first, second.runId());
    }

    private TestGraph.Body body(String name) {
        return s -> {
            executed.add(name);
            return Map.of(name, name.toUpperCase());
        };
    }

    @Test
    void retriesEndAfterTheLastAttemptAndOnlyForTheOutcomesAndErrorsChosen() throws Exception {
        var graph = TestGraph.linear("broken", "only", (TestGraph.Body) s -> {
            executed.add("only");
            throw new IllegalStateException("always");
        });
        var engine = engine(1, graph);
        var first = engine.submit("broken", null, Map.of(), policy("retries", "2", "retry-delay", "10ms")).runId();
        Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> engine.registry().select(r -> r.graphId().equals("broken")),
                l -> l.size() == 3 && l.stream().allMatch(RunSnapshot::isTerminal));
        Thread.sleep(200); // no fourth attempt follows
        assertThat(engine.registry().select(r -> r.graphId().equals("broken"))).hasSize(3)
                .allSatisfy(r -> assertThat(r.status()).isEqualTo(RunStatus.FAILED));
        var other = engine.submit("broken", null, Map.of(), policy("retries", "2", "retry-errors", "java.io.IOException")).runId();
        await(engine, other);
        Thread.sleep(200);
        assertThat(engine.registry().select(r -> r.retry() != null && r.retry().previous().equals(other)))
                .as("an IllegalStateException is not an IOException: no retry").isEmpty();
        assertThat(first).isNotNull();
    }

    @Test
    void aRunStillQueuedAfterItsMaxQueuedNeverStarts() throws Exception {
        var engine = engine(1, sleeper("sleepy", Duration.ofSeconds(30)));
        var holder = engine.submit("sleepy", null, Map.of()).runId();
        Awaitility.await().until(() -> "slow".equals(engine.run(holder).orElseThrow().currentNode()));
        var waiting = engine.submit("sleepy", null, Map.of(), policy("max-queued", "200ms")).runId();
        var end = await(engine, waiting);
        assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(end.startedAt()).isNull();
        assertThat(end.cancelOrigin()).isEqualTo(CancelOrigin.EXPIRED);
        assertThat(end.cancelReason()).isEqualTo("max-queued 200ms");
        assertThat(executed).containsExactly("a", "slow");
    }

    @Test
    void maxConcurrentKeepsExtraRunsQueuedInOrderAndSaysWhy() throws Exception {
        var running = new AtomicInteger();
        var most = new AtomicInteger();
        // run n's node holds until the test lets go of it
        var letGo = new java.util.concurrent.ConcurrentHashMap<Integer, java.util.concurrent.CompletableFuture<Void>>();
        var work = TestGraph.linear("limited", "work", (org.bsc.langgraph4j.action.AsyncNodeActionWithConfig<AgentState>) (state, config) -> {
            int now = running.incrementAndGet();
            most.accumulateAndGet(now, Math::max);
            int n = Integer.parseInt(String.valueOf(state.value("n").orElse("-1")));
            try {
                Cancellation.from(config).await(letGo.computeIfAbsent(n, k -> new java.util.concurrent.CompletableFuture<>()));
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            } finally {
                running.decrementAndGet();
            }
            return java.util.concurrent.CompletableFuture.completedFuture(Map.of());
        });
        var graph = withPolicy(work, RunPolicy.of("max-concurrent", "2"), Map.of("n", 0));
        var engine = engine(6, graph);
        var ids = new ArrayList<String>();
        for (int i = 0; i < 12; i++) ids.add(engine.submit("limited", null, Map.of("n", i)).runId());
        // six slots, two of them busy: the other runs are held back, each saying why
        var waiting = Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> engine.run(ids.getLast()).orElseThrow(), r -> r.waiting() != null);
        assertThat(waiting.status()).isEqualTo(RunStatus.QUEUED);
        assertThat(waiting.waiting()).isEqualTo("waiting: graph limited at its limit of 2");
        assertThat(waiting.policy().sources()).containsEntry("max-concurrent", RunPolicy.FROM_DEFINITION);
        for (int next = 2; next < 12; next++) {
            assertThat(statuses(engine, ids)).as("before run %d may start", next)
                    .containsExactlyElementsOf(expected(12, next - 2, next));
            letGo.computeIfAbsent(next - 2, k -> new java.util.concurrent.CompletableFuture<>()).complete(null);
            int n = next;
            // the oldest waiting run, and only it, takes the place that was freed
            Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> engine.run(ids.get(n)).orElseThrow().status() == RunStatus.RUNNING);
            Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> engine.run(ids.get(n - 2)).orElseThrow().isTerminal());
        }
        letGo.values().forEach(f -> f.complete(null));
        for (int i = 10; i < 12; i++) letGo.computeIfAbsent(i, k -> new java.util.concurrent.CompletableFuture<>()).complete(null);
        for (var id : ids) assertThat(await(engine, id).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(most.get()).isEqualTo(2);
        assertThat(engine.run(ids.getLast()).orElseThrow().waiting()).isNull();
    }

    @Test
    void runsCancelledOrExpiredWhileTheyWaitAtALimitNeverHoldItUpAndItIsNeverExceeded() throws Exception {
        var running = new AtomicInteger();
        var most = new AtomicInteger();
        var work = TestGraph.linear("busy", "work", (TestGraph.Body) s -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Cancellation.current().sleep(Duration.ofMillis(Long.parseLong(String.valueOf(s.value("millis").orElse("1")))));
            } finally {
                running.decrementAndGet();
            }
            return Map.of();
        });
        var engine = engine(6, withPolicy(work, RunPolicy.of("max-concurrent", "2"), Map.of("millis", 1)));
        var random = new java.util.Random(7);
        var ids = new ArrayList<String>();
        for (int i = 0; i < 300; i++) {
            var policy = random.nextInt(10) == 0 ? RunPolicy.of("max-queued", (1 + random.nextInt(30)) + "ms") : null;
            ids.add(engine.submit("busy", null, Map.of("millis", random.nextInt(4)), policy).runId());
            if (random.nextInt(4) == 0) engine.cancel(ids.get(random.nextInt(ids.size())));
        }
        for (var id : ids) {
            var end = await(engine, id);
            assertThat(end.status()).isIn(RunStatus.COMPLETED, RunStatus.CANCELLED);
        }
        assertThat(most.get()).isLessThanOrEqualTo(2);
        assertThat(engine.stats().queued()).as("nothing left parked").isZero();
    }

    private static List<RunStatus> statuses(LocalEngine engine, List<String> ids) {
        return ids.stream().map(id -> engine.run(id).orElseThrow().status()).toList();
    }

    /** Runs before {@code firstRunning} completed, it and the next one running, the rest queued. */
    private static List<RunStatus> expected(int runs, int firstRunning, int queuedFrom) {
        var out = new ArrayList<RunStatus>();
        for (int i = 0; i < runs; i++) {
            out.add(i < firstRunning ? RunStatus.COMPLETED : i < queuedFrom ? RunStatus.RUNNING : RunStatus.QUEUED);
        }
        return out;
    }

    @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir;

    private PolicyBook book(Map<String, String> lines) throws java.io.IOException {
        var file = dir.resolve(PolicyBook.FILE);
        var text = new StringBuilder();
        lines.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        java.nio.file.Files.writeString(file, text);
        return PolicyBook.load(file);
    }

    /** {@code graph} with its own default policy and input. */
    static GraphDefinition withPolicy(GraphDefinition graph, RunPolicy policy, Map<String, Object> input) {
        return new GraphDefinition() {
            @Override public String id() { return graph.id(); }
            @Override public String title() { return graph.title(); }
            @Override public String description() { return graph.description(); }
            @Override public Map<String, Object> defaultInput() { return input; }
            @Override public RunPolicy policy() { return policy; }

            @Override
            public StateGraph<? extends AgentState> build() throws GraphStateException {
                return graph.build();
            }
        };
    }

    @Test
    void theMostSpecificLevelWinsValueByValue() throws Exception {
        var graph = withPolicy(TestGraph.linear("g", "x", TestGraph.quick()),
                RunPolicy.of(Map.of("max-runtime", "1h", "max-steps", "50", "retries", "1")), Map.of());
        var file = RunPolicy.of(Map.of("max-steps", "40", "max-concurrent", "3"));
        assertThat(file.sources()).isEmpty();
        var book = book(Map.of("g.max-steps", "40", "g.max-concurrent", "3", "queue/q.max-runtime", "2h",
                "queue/q.max-concurrent", "5", "queue/q.retries", "4"));
        var resolved = book.resolve(graph, "q", RunPolicy.of("retries", "2"));
        assertThat(resolved.maxSteps()).isEqualTo(40);
        assertThat(resolved.maxRuntime()).isEqualTo(Duration.ofHours(2));
        assertThat(resolved.retries()).isEqualTo(2);
        assertThat(resolved.maxConcurrent()).isEqualTo(3);
        assertThat(resolved.queueMaxConcurrent()).isEqualTo(5);
        assertThat(resolved.sources()).containsEntry("max-steps", PolicyBook.FILE).containsEntry("max-runtime", PolicyBook.FILE + " (queue q)")
                .containsEntry("retries", RunPolicy.FROM_RUN).containsEntry("max-concurrent", PolicyBook.FILE)
                .containsEntry("queue-max-concurrent", PolicyBook.FILE + " (queue q)");
    }

    @Test
    void aBadPolicyFileNamesTheKeyAndWhatIsWrong() throws Exception {
        assertThatThrownBy(() -> book(Map.of("g.max-runtime", "soon"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("g.max-runtime").hasMessageContaining("'soon' is not a duration");
        assertThatThrownBy(() -> book(Map.of("g.max-warp", "9"))).hasMessageContaining("g.max-warp").hasMessageContaining("not OWNER.POLICY");
        assertThatThrownBy(() -> book(Map.of("g.queue-max-concurrent", "2"))).hasMessageContaining("queue/QUEUE.max-concurrent");
        assertThatThrownBy(() -> book(Map.of("g.retries", "1000"))).hasMessageContaining("retries must be 0 to 100");
        assertThatThrownBy(() -> book(Map.of("g.retry-multiplier", "NaN"))).hasMessageContaining("not a plain decimal");
        assertThatThrownBy(() -> RunPolicy.ofRun(Map.of("max-concurrent", "2"))).hasMessageContaining("set per graph or queue");
        // a graph id with dots is still a graph id
        assertThat(book(Map.of("my.graph.v2.max-steps", "7")).ofGraph("my.graph.v2").maxSteps()).isEqualTo(7);
    }

    @Test
    void theBackoffGrowsByItsMultiplierUpToItsMaxLessItsJitter() {
        var p = RunPolicy.of(Map.of("retries", "5", "retry-delay", "1s", "retry-multiplier", "3", "retry-max-delay", "20s", "retry-jitter", "0.5"));
        assertThat(p.backoff(2, 0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.backoff(3, 0)).isEqualTo(Duration.ofSeconds(3));
        assertThat(p.backoff(4, 0)).isEqualTo(Duration.ofSeconds(9));
        assertThat(p.backoff(5, 0)).as("capped").isEqualTo(Duration.ofSeconds(20));
        assertThat(p.backoff(5, 0.999999)).as("up to half off").isBetween(Duration.ofSeconds(10), Duration.ofMillis(10_001));
        assertThat(RunPolicy.of("retries", "1").backoff(2, 0)).as("the defaults: 1 s").isEqualTo(Duration.ofSeconds(1));
        assertThat(RunPolicy.of("retry-errors", "java.io.IOException,TimeoutException").retriesError("java.util.concurrent.TimeoutException")).isTrue();
        assertThat(RunPolicy.of("retry-errors", "java.io.IOException").retriesError("java.lang.IllegalStateException")).isFalse();
    }
}
