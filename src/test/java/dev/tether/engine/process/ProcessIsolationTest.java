package dev.tether.engine.process;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.Isolation;
import dev.tether.engine.IsolationPolicy;
import dev.tether.engine.LocalEngine;
import dev.tether.graphs.StubbornGraph;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelOutcome;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import dev.tether.testing.Hang;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Process isolation with real child JVMs: every way a node can refuse to stop ends in a CANCELLED
 * (forced) run with nothing left running, a crash fails only its own run, and the pool heals. The
 * cooperative graph has a grace only a hang reaches (on a loaded machine a child may take longer than
 * a short grace to answer, and would be killed for the machine's sake); nodes whose end matters wait
 * for a gate file the test creates. How soon a cancel or a kill lands is ProcessIsolationBench's to
 * measure.
 */
@org.junit.jupiter.api.Tag("process")
class ProcessIsolationTest {
    static final Duration GRACE = Duration.ofMillis(1_000);
    static final int CHILDREN = 2;
    static RunRegistry registry;
    static LocalEngine engine;
    static ChildPool pool;

    @BeforeAll
    static void start() {
        registry = new RunRegistry();
        // one graph with a grace of its own (isolation.properties: socket-read.grace = 400ms)
        var policy = new IsolationPolicy(Isolation.PROCESS, Map.of(), Map.of("socket-read", Duration.ofMillis(400), "coop", Hang.IN_PROCESS));
        var config = EngineConfig.defaults().withConcurrency(CHILDREN).withCancelGrace(GRACE).withIsolation(policy);
        engine = new LocalEngine(config, GraphCatalog.of(new StubbornGraph(), new ProcessGraphs.Cooperative(),
                new ProcessGraphs.SocketRead(), new ProcessGraphs.SwallowsInterrupts(), new ProcessGraphs.StartsSubprocess(),
                new ProcessGraphs.Halts(), new ProcessGraphs.TwoSteps(), new ProcessGraphs.Quick(),
                new dev.tether.testing.LoopingGraph()), registry);
        pool = engine.childPool().orElseThrow();
        awaitPoolFull();
    }

    @AfterAll
    static void stop() {
        var pids = pool.processes().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
        engine.shutdown(Duration.ofSeconds(10));
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> pids.stream().noneMatch(ProcessTreeCount::alive));
    }

    static void awaitPoolFull() {
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).pollInterval(Duration.ofMillis(20))
                .until(() -> pool.idle() == CHILDREN && pool.live() == CHILDREN);
    }

    static String startAndAwaitNode(String graph, Map<String, Object> input, String node) {
        var id = engine.submit(graph, null, input).runId();
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).pollInterval(Duration.ofMillis(2))
                .until(() -> node.equals(registry.get(id).orElseThrow().currentNode()));
        return id;
    }

    static RunSnapshot awaitEnd(String id) throws InterruptedException {
        return engine.awaitTerminal(id, Hang.ACROSS_PROCESSES)
                .orElseThrow(() -> new AssertionError("not terminal in " + Hang.ACROSS_PROCESSES + ": " + registry.get(id)));
    }

    /** Cancels a node that does not cooperate: after the grace the child is killed and the run is CANCELLED (forced). */
    private void assertForcedAfterGrace(String graph, Map<String, Object> input, String node, Duration grace) throws Exception {
        awaitPoolFull();
        var id = startAndAwaitNode(graph, input, node);
        Thread.sleep(100); // inside the node
        var tree = ProcessTreeCount.treeOfPool(pool);
        long t0 = System.nanoTime();
        assertThat(engine.cancel(id)).isEqualTo(CancelOutcome.CANCELLING);
        var end = awaitEnd(id);
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(end.forced()).isTrue();
        assertThat(end.cancelledAtNode()).isEqualTo(node);
        // how soon after its grace the kill lands: ProcessIsolationBench (kill → gone) and the watchdog's tick
        assertThat(tookMs).as("not before the grace").isGreaterThanOrEqualTo(grace.toMillis());
        // proof of stop: at the moment it is reported, nothing of the killed child's tree is left
        var now = Set.copyOf(ProcessTreeCount.treeOfPool(pool));
        var leftovers = tree.stream().filter(p -> !now.contains(p)).filter(ProcessTreeCount::alive).toList();
        assertThat(leftovers).as("processes of the killed child still alive").isEmpty();
        awaitPoolFull();
    }

    @Test
    void theStubbornGraphIsKilledAfterTheGraceAndReportedForced() throws Exception {
        assertForcedAfterGrace("stubborn", Map.of("seconds", 600), "ignore-cancel", GRACE);
    }

    @Test
    void aNodeBlockedInASocketReadIsKilled() throws Exception {
        assertForcedAfterGrace("socket-read", Map.of(), "work", Duration.ofMillis(400));
    }

    @Test
    void aNodeThatSwallowsInterruptsIsKilled() throws Exception {
        assertForcedAfterGrace("swallows", Map.of(), "work", GRACE);
    }

    @Test
    void aNodeThatStartedItsOwnSubprocessLeavesNothing(@TempDir Path dir) throws Exception {
        var pidFile = dir.resolve("sleep.pid");
        awaitPoolFull();
        var id = startAndAwaitNode("subprocess", Map.of("pidFile", pidFile.toString()), "work");
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> Files.exists(pidFile) && Files.size(pidFile) > 0);
        long sleepPid = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(ProcessTreeCount.alive(sleepPid)).isTrue();
        assertThat(engine.cancel(id, CancelRequest.of(StopLevel.KILL))).isEqualTo(CancelOutcome.CANCELLING);
        var end = awaitEnd(id);
        assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(end.forced()).isTrue();
        assertThat(ProcessTreeCount.alive(sleepPid)).as("the node's sleep 1000").isFalse();
        awaitPoolFull();
        assertThat(ProcessTreeCount.strays(pool)).isEmpty();
    }

    @Test
    void aChildThatHaltsFailsItsRunWithTheReasonAndThePoolHeals() throws Exception {
        awaitPoolFull();
        var other = startAndAwaitNode("coop", Map.of("millis", 3_000), "work");
        var id = engine.submit("halts", null, Map.of()).runId();
        var end = awaitEnd(id);
        assertThat(end.status()).isEqualTo(RunStatus.FAILED);
        assertThat(end.error().message()).contains("exit code 42").contains("about to halt");
        assertThat(end.forced()).isFalse();
        var survivor = awaitEnd(other);
        assertThat(survivor.status()).as("the other run is unaffected").isEqualTo(RunStatus.COMPLETED);
        awaitPoolFull();
        var next = engine.submit("quick", null, Map.of()).runId();
        assertThat(awaitEnd(next).status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void aCooperativeCancelReusesTheChild() throws Exception {
        awaitPoolFull();
        var pids = pool.processes().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
        var id = startAndAwaitNode("coop", Map.of("millis", Duration.ofMinutes(30).toMillis()), "work");
        engine.cancel(id);
        var end = awaitEnd(id);
        assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(end.forced()).isFalse();
        assertThat(end.cancelledAtNode()).isEqualTo("work");
        awaitPoolFull();
        assertThat(pool.processes().stream().map(ProcessHandle::pid).collect(Collectors.toSet())).isEqualTo(pids);
    }

    /** The child enforces max-steps at its node boundary and tells the parent; the parent believes only that stop. */
    @Test
    void aStepLimitStopsALoopingGraphInItsChildAsTheStepLimitsStop() throws Exception {
        awaitPoolFull();
        var children = pool.processes().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
        var id = engine.submit("looping", null, Map.of(), dev.tether.run.RunPolicy.of("max-steps", "150")).runId();
        var end = awaitEnd(id);
        assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(end.error()).isNull();
        assertThat(end.forced()).isFalse();
        assertThat(end.cancelOrigin()).isEqualTo(dev.tether.run.CancelOrigin.STEP_LIMIT);
        assertThat(end.cancelReason()).isEqualTo("max-steps 150");
        assertThat(end.stopLevel()).isEqualTo(StopLevel.AFTER_NODE);
        assertThat(end.steps()).isEqualTo(150);
        awaitPoolFull();
        assertThat(pool.processes().stream().map(ProcessHandle::pid).collect(Collectors.toSet()))
                .as("the child that ran it is reused, not replaced for a broken protocol").isEqualTo(children);
    }

    @Test
    void afterNodeLetsTheNodeFinishAndStartsNoOther(@TempDir Path dir) throws Exception {
        awaitPoolFull();
        var gate = dir.resolve("first-may-end");
        var id = startAndAwaitNode("two-steps", Map.of("gate", gate.toString()), "first");
        assertThat(engine.cancel(id, CancelRequest.of(StopLevel.AFTER_NODE))).isEqualTo(CancelOutcome.CANCELLING);
        Thread.sleep(200); // time to (wrongly) stop the node
        assertThat(registry.get(id).orElseThrow().status()).as("the node is let run").isEqualTo(RunStatus.CANCELLING);
        Files.createFile(gate);
        var end = awaitEnd(id);
        assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(end.forced()).isFalse();
        assertThat(end.steps()).as("first finished normally").isEqualTo(1);
        assertThat(end.timeline()).extracting(s -> s.node()).doesNotContain("second");
    }

    @Test
    void aCompletedRunLooksTheSameAsOnAThread() throws Exception {
        awaitPoolFull();
        var id = engine.submit("quick", null, Map.of()).runId();
        var end = awaitEnd(id);
        assertThat(end.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(end.steps()).isEqualTo(3);
        assertThat(end.timeline()).extracting(s -> s.node()).containsExactly("start", "work", "done");
        assertThat(end.worker()).isEqualTo("local");
    }

    @Test
    void twoHundredSubmitCancelCyclesLeaveThePoolAtItsSizeAndNoStrayProcess() throws Exception {
        awaitPoolFull();
        var seenPids = new HashSet<Long>();
        for (int i = 0; i < 200; i++) {
            var id = engine.submit("coop", null, Map.of()).runId();
            if (i % 2 == 0) { // half cancelled inside the node, half wherever they are
                Awaitility.await().atMost(Hang.ACROSS_PROCESSES).pollInterval(Duration.ofMillis(1))
                        .until(() -> "work".equals(registry.get(id).orElseThrow().currentNode()));
            }
            engine.cancel(id, CancelRequest.of(i % 50 == 49 ? StopLevel.KILL : StopLevel.CANCEL));
            var end = awaitEnd(id);
            assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
            pool.processes().forEach(p -> seenPids.add(p.pid()));
        }
        awaitPoolFull();
        assertThat(pool.live()).isEqualTo(CHILDREN);
        assertThat(ProcessTreeCount.strays(pool)).isEmpty();
        var current = pool.processes().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
        assertThat(seenPids.stream().filter(p -> !current.contains(p)).filter(ProcessTreeCount::alive).toList())
                .as("every replaced child is gone").isEmpty();
    }

    @Test
    void aKilledChildsCheckpointsReachTheParentAndItsRunResumesInAChild(@TempDir Path dir) throws Exception {
        awaitPoolFull();
        var gate = dir.resolve("work-may-end"); // created once killed: the resumed attempt's work then ends at once
        var id = startAndAwaitNode("coop", Map.of("gate", gate.toString()), "work");
        assertThat(engine.cancel(id, CancelRequest.of(StopLevel.KILL))).isEqualTo(CancelOutcome.CANCELLING);
        var killed = awaitEnd(id);
        assertThat(killed.forced()).isTrue();
        assertThat(engine.checkpoints(id)).extracting(dev.tether.engine.CheckpointInfo::node).containsExactly("__START__", "start");

        Files.createFile(gate);
        awaitPoolFull();
        var again = engine.resume(id, null);
        var end = awaitEnd(again.runId());
        assertThat(end.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(end.timeline()).extracting(dev.tether.run.NodeSpan::node).containsExactly("work", "done");
        assertThat(engine.checkpoints(again.runId())).as("a completed attempt keeps none").isEmpty();
        awaitPoolFull();
    }
}
