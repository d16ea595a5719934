package dev.tether.engine;

import dev.tether.api.Cancellation;
import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import dev.tether.testing.Hang;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bulk cancel reports each run's real outcome, not a count of cancels sent. The run that ignores
 * its cancel does so until the test lets it go, with a short grace of its own; the others get a grace
 * only a hang reaches, so that which outcome each run has never depends on the machine's load. How
 * soon runs stop is CancelLatencyBench's to measure.
 */
class BulkCancelTest {
    static final Duration DEAF_GRACE = Duration.ofMillis(500);
    final java.util.concurrent.CountDownLatch letGo = new java.util.concurrent.CountDownLatch(1);
    EngineFixture fx;

    @AfterEach
    void close() {
        if (fx == null) return;
        // a STUCK run's thread is deaf on: let it end here, so no later test counts it as its own
        letGo.countDown();
        org.awaitility.Awaitility.await().until(() -> fx.engine.stats().stuck() == 0);
        fx.close();
    }

    private void start(int concurrency) {
        fx = new EngineFixture(concurrency, Hang.IN_PROCESS, Map.of("deaf", DEAF_GRACE), deafGraph(),
                TestGraph.linear("cooperative", "wait", (TestGraph.Body) s -> { Cancellation.current().sleep(Duration.ofMinutes(30)); return Map.of(); }),
                TestGraph.linear("quick", "only", TestGraph.quick()));
    }

    @Test
    void aMixOfCooperativeStubbornAndFinishedRunsIsReportedRunByRun() throws Exception {
        start(4);
        var finished = fx.submit("quick");
        assertThat(fx.awaitTerminal(finished).status()).isEqualTo(RunStatus.COMPLETED);
        var cooperative = fx.submit("cooperative");
        var stubborn = fx.submit("deaf");
        fx.awaitNode(cooperative, "wait");
        fx.awaitNode(stubborn, "ignore-cancel");

        var report = BulkCancel.of(fx.engine, List.of(cooperative, stubborn, finished), CancelRequest.by(CancelOrigin.CONSOLE),
                Hang.IN_PROCESS);

        assertThat(report.runs()).extracting(RunStopReport::runId).containsExactly(cooperative, stubborn, finished);
        var byId = report.runs().stream().collect(java.util.stream.Collectors.toMap(RunStopReport::runId, r -> r));
        assertThat(byId.get(cooperative).outcome()).isEqualTo(StopOutcome.STOPPED_CLEANLY);
        assertThat(byId.get(cooperative).status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(byId.get(cooperative).cancelLatencyMillis()).isNotNull();
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

    /** Asked to wait 100 ms, it reports the deaf run still stopping: it did not wait out its grace (a minute here). */
    @Test
    void cancelAllTakesQueuedRunsFirstAndWaitsNoLongerThanAsked() throws Exception {
        fx = new EngineFixture(1, Hang.IN_PROCESS, Map.of(), deafGraph(), TestGraph.linear("quick", "only", TestGraph.quick()));
        var stubborn = fx.submit("deaf");
        fx.awaitNode(stubborn, "ignore-cancel");
        var queued = fx.submit("quick");

        var report = BulkCancel.all(fx.engine, CancelRequest.by(CancelOrigin.CLI), Duration.ofMillis(100));

        assertThat(report.runs()).extracting(RunStopReport::runId).containsExactly(queued, stubborn);
        assertThat(report.runs().get(0).outcome()).as("a queued run never starts").isEqualTo(StopOutcome.STOPPED_CLEANLY);
        assertThat(report.runs().get(1).outcome()).as("still stopping when the wait ended").isEqualTo(StopOutcome.STILL_RUNNING);
        assertThat(report.runs().get(1).status()).isEqualTo(RunStatus.CANCELLING);
        assertThat(fx.run(stubborn).cancelOrigin()).isEqualTo(CancelOrigin.CLI);
    }

    /** Ignores interrupts and its token until the test lets it go. */
    private TestGraph deafGraph() {
        return TestGraph.linear("deaf", "ignore-cancel", (TestGraph.Body) s -> {
            while (true) {
                try {
                    if (letGo.await(1, java.util.concurrent.TimeUnit.MINUTES)) return Map.of();
                } catch (InterruptedException deafToIt) {
                    // keeps going
                }
            }
        });
    }

    @Test
    void theEngineRecordsWhoAskedAndTheLevelOnEveryPath() throws Exception {
        start(4);
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
        fx.engine.shutdown(Hang.IN_PROCESS, CancelOrigin.SIGNAL);
        assertThat(fx.run(b).cancelOrigin()).isEqualTo(CancelOrigin.SIGNAL);
    }
}
