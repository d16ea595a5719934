package dev.tether.run;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static dev.tether.run.RunStatus.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Every (status, event) pair, checked against the table below: the state machine's specification. */
class RunStateMachineTest {
    private static final String ID = "run-1";
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    /** Event kinds, each made for the run under test. */
    enum Kind {
        SUBMITTED(id -> new RunEvent.Submitted(id, "g", "q", Map.of(), T)),
        STARTED(id -> new RunEvent.Started(id, "w", T)),
        NODE_STARTED(id -> new RunEvent.NodeStarted(id, "n", T)),
        NODE_FINISHED(id -> new RunEvent.NodeFinished(id, "n", true, T)),
        CANCEL_REQUESTED(id -> new RunEvent.CancelRequested(id, T)),
        CANCELLED(id -> new RunEvent.Cancelled(id, "n", T)),
        COMPLETED(id -> new RunEvent.Completed(id, T)),
        FAILED(id -> new RunEvent.Failed(id, new ErrorInfo("E", "boom", ""), T)),
        STUCK(id -> new RunEvent.Stuck(id, "n", T)),
        LOST(id -> new RunEvent.Lost(id, "worker gone", T));

        final Function<String, RunEvent> make;

        Kind(Function<String, RunEvent> make) {
            this.make = make;
        }
    }

    /** status -> (event kind -> resulting status); a missing entry means "rejected". */
    private static final Map<RunStatus, Map<Kind, RunStatus>> TABLE = new EnumMap<>(Map.of(
            QUEUED, Map.of(Kind.STARTED, RUNNING, Kind.CANCEL_REQUESTED, RunStatus.CANCELLED, Kind.FAILED, RunStatus.FAILED,
                    Kind.LOST, RunStatus.LOST),
            RUNNING, Map.of(Kind.NODE_STARTED, RUNNING, Kind.NODE_FINISHED, RUNNING, Kind.CANCEL_REQUESTED, CANCELLING,
                    Kind.COMPLETED, RunStatus.COMPLETED, Kind.FAILED, RunStatus.FAILED, Kind.LOST, RunStatus.LOST),
            CANCELLING, Map.of(Kind.NODE_STARTED, CANCELLING, Kind.NODE_FINISHED, CANCELLING,
                    Kind.CANCELLED, RunStatus.CANCELLED, Kind.COMPLETED, RunStatus.COMPLETED, Kind.FAILED, RunStatus.FAILED,
                    Kind.STUCK, RunStatus.STUCK, Kind.LOST, RunStatus.LOST),
            RunStatus.CANCELLED, Map.of(),
            RunStatus.COMPLETED, Map.of(),
            RunStatus.FAILED, Map.of(),
            RunStatus.STUCK, Map.of(),
            RunStatus.LOST, Map.of()));

    /** Shortest event path from nothing to each status. */
    private static final Map<RunStatus, List<Kind>> PATH = Map.of(
            QUEUED, List.of(Kind.SUBMITTED),
            RUNNING, List.of(Kind.SUBMITTED, Kind.STARTED),
            CANCELLING, List.of(Kind.SUBMITTED, Kind.STARTED, Kind.CANCEL_REQUESTED),
            RunStatus.CANCELLED, List.of(Kind.SUBMITTED, Kind.STARTED, Kind.CANCEL_REQUESTED, Kind.CANCELLED),
            RunStatus.COMPLETED, List.of(Kind.SUBMITTED, Kind.STARTED, Kind.COMPLETED),
            RunStatus.FAILED, List.of(Kind.SUBMITTED, Kind.STARTED, Kind.FAILED),
            RunStatus.STUCK, List.of(Kind.SUBMITTED, Kind.STARTED, Kind.CANCEL_REQUESTED, Kind.STUCK),
            RunStatus.LOST, List.of(Kind.SUBMITTED, Kind.LOST));

    static RunSnapshot reach(RunStatus status) {
        RunSnapshot s = null;
        for (var k : PATH.get(status)) s = RunStateMachine.apply(s, k.make.apply(ID));
        assertThat(s.status()).isEqualTo(status);
        return s;
    }

    @ParameterizedTest(name = "from {0}")
    @EnumSource(RunStatus.class)
    @DisplayName("every event in every status does exactly what the table says")
    void everyTransitionMatchesTheTable(RunStatus from) {
        for (var kind : Kind.values()) {
            var before = reach(from);
            var after = RunStateMachine.apply(before, kind.make.apply(ID));
            var expected = TABLE.get(from).get(kind);
            if (expected == null) {
                assertThat(after).as("%s on %s must be rejected", kind, from).isNull();
            } else {
                assertThat(after).as("%s on %s", kind, from).isNotNull();
                assertThat(after.status()).as("%s on %s", kind, from).isEqualTo(expected);
                assertThat(after.version()).isEqualTo(before.version() + 1);
            }
        }
    }

    @Test
    void terminalStatusesAcceptNothing() {
        for (var s : RunStatus.values()) {
            assertThat(TABLE.get(s).isEmpty()).as(s.name()).isEqualTo(s.isTerminal());
        }
    }

    @Test
    void onlySubmittedCreatesARun() {
        for (var kind : Kind.values()) {
            var created = RunStateMachine.apply(null, kind.make.apply(ID));
            assertThat(created != null).as(kind.name()).isEqualTo(kind == Kind.SUBMITTED);
        }
        assertThat(RunStateMachine.apply(null, Kind.SUBMITTED.make.apply(ID)).status()).isEqualTo(QUEUED);
    }

    @Test
    void eventsOfAnotherRunAreRejected() {
        assertThat(RunStateMachine.apply(reach(RUNNING), Kind.COMPLETED.make.apply("other"))).isNull();
    }

    @Test
    void aQueuedRunCancelledNeverHasAStartTime() {
        var s = RunStateMachine.apply(reach(QUEUED), Kind.CANCEL_REQUESTED.make.apply(ID));
        assertThat(s.startedAt()).isNull();
        assertThat(s.cancelRequestedAt()).isEqualTo(T);
        assertThat(s.endedAt()).isEqualTo(T);
        assertThat(s.cancelledAtNode()).isNull();
    }

    @Test
    void stepsCountOnlyNodesThatFinishedWell() {
        var s = reach(RUNNING);
        s = RunStateMachine.apply(s, new RunEvent.NodeStarted(ID, "a", T));
        s = RunStateMachine.apply(s, new RunEvent.NodeFinished(ID, "a", true, T.plusMillis(5)));
        s = RunStateMachine.apply(s, new RunEvent.NodeStarted(ID, "b", T.plusMillis(5)));
        s = RunStateMachine.apply(s, new RunEvent.NodeFinished(ID, "b", false, T.plusMillis(9)));
        assertThat(s.steps()).isEqualTo(1);
        assertThat(s.currentNode()).isEqualTo("b");
        assertThat(s.timeline()).extracting(NodeSpan::outcome)
                .containsExactly(NodeSpan.Outcome.DONE, NodeSpan.Outcome.FAILED);
        assertThat(s.timeline().getFirst().duration(T)).hasMillis(5);
    }

    @Test
    void cancelledRecordsTheNodeAndClosesOpenSpans() {
        var s = reach(RUNNING);
        s = RunStateMachine.apply(s, new RunEvent.NodeStarted(ID, "draft", T));
        s = RunStateMachine.apply(s, new RunEvent.CancelRequested(ID, T.plusMillis(10)));
        s = RunStateMachine.apply(s, new RunEvent.Cancelled(ID, "draft", T.plusMillis(13)));
        assertThat(s.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(s.cancelledAtNode()).isEqualTo("draft");
        assertThat(s.cancelLatency()).hasMillis(3);
        assertThat(s.timeline()).singleElement().satisfies(span -> {
            assertThat(span.outcome()).isEqualTo(NodeSpan.Outcome.CANCELLED);
            assertThat(span.endedAt()).isEqualTo(T.plusMillis(13));
        });
    }

    @Test
    void stuckIsNeverReportedAsCancelled() {
        var s = RunStateMachine.apply(reach(CANCELLING), Kind.STUCK.make.apply(ID));
        assertThat(s.status()).isEqualTo(RunStatus.STUCK);
        assertThat(s.cancelledAtNode()).isNull();
        assertThat(RunStateMachine.apply(s, Kind.CANCELLED.make.apply(ID))).isNull();
    }

    @Test
    void timelineIsBounded() {
        var s = reach(RUNNING);
        for (int i = 0; i < RunStateMachine.MAX_TIMELINE + 50; i++) {
            s = RunStateMachine.apply(s, new RunEvent.NodeStarted(ID, "n" + i, T));
            s = RunStateMachine.apply(s, new RunEvent.NodeFinished(ID, "n" + i, true, T));
        }
        assertThat(s.timeline()).hasSize(RunStateMachine.MAX_TIMELINE);
        assertThat(s.timeline().getLast().node()).isEqualTo("n" + (RunStateMachine.MAX_TIMELINE + 49));
        assertThat(s.steps()).isEqualTo(RunStateMachine.MAX_TIMELINE + 50);
    }

    @Test
    void statusPredicates() {
        assertThat(Set.of(RunStatus.values()).stream().filter(RunStatus::isTerminal))
                .containsExactlyInAnyOrder(RunStatus.CANCELLED, RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.STUCK, RunStatus.LOST);
    }

    @Test
    void maxQueuedStopsOnlyARunStillQueued() {
        var expired = new RunEvent.CancelRequested(ID, T, new CancelRequest(StopLevel.CANCEL, CancelOrigin.EXPIRED, CancelMode.INTERRUPT, "max-queued 1m"));
        var queued = reach(RunStatus.QUEUED);
        var cancelled = RunStateMachine.apply(queued, expired);
        assertThat(cancelled.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(cancelled.cancelOrigin()).isEqualTo(CancelOrigin.EXPIRED);
        assertThat(RunStateMachine.apply(reach(RunStatus.RUNNING), expired)).as("started meanwhile: not max-queued's business").isNull();
    }

    @Test
    void aQueuedRunSaysWhyItWaitsUntilItStarts() {
        var queued = reach(RunStatus.QUEUED);
        var waiting = RunStateMachine.apply(queued, new RunEvent.Waiting(ID, "waiting: graph g at its limit of 2", T));
        assertThat(waiting.status()).isEqualTo(RunStatus.QUEUED);
        assertThat(waiting.waiting()).isEqualTo("waiting: graph g at its limit of 2");
        assertThat(RunStateMachine.apply(waiting, new RunEvent.Waiting(ID, "waiting: graph g at its limit of 2", T)))
                .as("the same reason again is no news").isNull();
        var started = RunStateMachine.apply(waiting, new RunEvent.Started(ID, "w", T));
        assertThat(started.waiting()).isNull();
        assertThat(RunStateMachine.apply(started, new RunEvent.Waiting(ID, "x", T))).isNull();
    }
}
