package dev.tether.engine;

import dev.tether.api.Cancellation;
import dev.tether.graphs.StubbornGraph;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A bulk cancel reports each run's real outcome, not a count of cancels sent. */
class BulkCancelTest {
    static final Duration GRACE = Duration.ofMillis(500);
    EngineFixture fx;

    @AfterEach
    void close() {
        if (fx == null) return;
        // a STUCK run's thread spins on: let it end here, so no later test counts it as its own
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> fx.engine.stats().stuck() == 0);
        fx.close();
    }

    private void start() {
        fx = new EngineFixture(4, GRACE, new StubbornGraph(),
                TestGraph.linear("cooperative", "wait", (TestGraph.Body) s -> { Cancellation.current().sleep(Duration.ofSeconds(30)); return Map.of(); }),
                TestGraph.linear("quick", "only", TestGraph.quick()));
    }

    @Test
    void aMixOfCooperativeStubbornAndFinishedRunsIsReportedRunByRun() throws Exception {
        start();
        var finished = fx.submit("quick");
        assertThat(fx.awaitTerminal(finished).status()).isEqualTo(RunStatus.COMPLETED);
        var cooperative = fx.submit("cooperative");
        var stubborn = fx.engine.submit("stubborn", null, Map.of("seconds", 2)).runId();
        fx.awaitNode(cooperative, "wait");
        fx.awaitNode(stubborn, "ignore-cancel");

        var report = BulkCancel.of(fx.engine, List.of(cooperative, stubborn, finished), CancelRequest.by(CancelOrigin.CONSOLE),
                Duration.ofSeconds(10));

        assertThat(report.runs()).extracting(RunStopReport::runId).containsExactly(cooperative, stubborn, finished);
        var byId = report.runs().stream().collect(java.util.stream.Collectors.toMap(RunStopReport::runId, r -> r));
        assertThat(byId.get(cooperative).outcome()).isEqualTo(StopOutcome.STOPPED_CLEANLY);
        assertThat(byId.get(cooperative).status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(byId.get(cooperative).cancelLatencyMillis()).isNotNull().isLessThan(GRACE.toMillis());
        assertThat(byId.get(cooperative).stopLevel()).isEqualTo(StopLevel.CANCEL);
        assertThat(byId.get(cooperative).cancelOrigin()).isEqualTo(CancelOrigin.CONSOLE);
        assertThat(byId.get(stubborn).outcome()).isEqualTo(StopOutcome.STILL_RUNNING);
        assertThat(byId.get(stubborn).status()).as("waited past its grace").isEqualTo(RunStatus.STUCK);
        assertThat(byId.get(stubborn).cancelLatencyMillis()).isNull();
        assertThat(byId.get(finished).outcome()).isEqualTo(StopOutcome.ALREADY_FINISHED);
        assertThat(byId.get(finished).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(report.cancelled()).containsExactly(cooperative, stubborn);
        assertThat(report.counts()).containsEntry(StopOutcome.STOPPED_CLEANLY, 1).containsEntry(StopOutcome.STILL_RUNNING, 1)
                .containsEntry(StopOutcome.ALREADY_FINISHED, 1).containsEntry(StopOutcome.FORCED, 0);
    }

    @Test
    void cancelAllTakesQueuedRunsFirstAndWaitsNoLongerThanAsked() throws Exception {
        fx = new EngineFixture(1, GRACE, new StubbornGraph(), TestGraph.linear("quick", "only", TestGraph.quick()));
        var stubborn = fx.engine.submit("stubborn", null, Map.of("seconds", 2)).runId();
        fx.awaitNode(stubborn, "ignore-cancel");
        var queued = fx.submit("quick");

        long t0 = System.nanoTime();
        var report = BulkCancel.all(fx.engine, CancelRequest.by(CancelOrigin.CLI), Duration.ofMillis(100));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(GRACE);

        assertThat(report.runs()).extracting(RunStopReport::runId).containsExactly(queued, stubborn);
        assertThat(report.runs().get(0).outcome()).as("a queued run never starts").isEqualTo(StopOutcome.STOPPED_CLEANLY);
        assertThat(report.runs().get(1).outcome()).as("still stopping when the wait ended").isEqualTo(StopOutcome.STILL_RUNNING);
        assertThat(report.runs().get(1).status()).isEqualTo(RunStatus.CANCELLING);
        assertThat(fx.run(stubborn).cancelOrigin()).isEqualTo(CancelOrigin.CLI);
    }

    @Test
    void theEngineRecordsWhoAskedAndTheLevelOnEveryPath() throws Exception {
        start();
        var a = fx.submit("cooperative");
        fx.awaitNode(a, "wait");
        fx.engine.cancel(a, CancelRequest.by(CancelOrigin.API).at(StopLevel.AFTER_NODE));
        assertThat(fx.run(a).stopLevel()).isEqualTo(StopLevel.AFTER_NODE);
        fx.engine.cancel(a, CancelRequest.by(CancelOrigin.CONSOLE)); // escalates: the level used and who asked for it
        var run = fx.awaitTerminal(a);
        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(run.stopLevel()).isEqualTo(StopLevel.CANCEL);
        assertThat(run.cancelOrigin()).isEqualTo(CancelOrigin.CONSOLE);

        var b = fx.submit("cooperative");
        fx.awaitNode(b, "wait");
        fx.engine.shutdown(Duration.ofSeconds(5), CancelOrigin.SIGNAL);
        assertThat(fx.run(b).cancelOrigin()).isEqualTo(CancelOrigin.SIGNAL);
    }
}
