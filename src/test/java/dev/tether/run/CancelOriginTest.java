package dev.tether.run;

import dev.tether.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A run's record says which stop level ended it and who asked, and records without them still read. */
class CancelOriginTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private static RunSnapshot running() {
        var s = RunStateMachine.apply(null, new RunEvent.Submitted("r", "g", "q", Map.of(), T));
        return RunStateMachine.apply(s, new RunEvent.Started("r", "w", T));
    }

    @Test
    void theCancelRecordsItsLevelAndWhoAsked() {
        var s = RunStateMachine.apply(running(), new RunEvent.CancelRequested("r", T, StopLevel.AFTER_NODE, CancelOrigin.CLI, null));
        assertThat(s.stopLevel()).isEqualTo(StopLevel.AFTER_NODE);
        assertThat(s.cancelOrigin()).isEqualTo(CancelOrigin.CLI);
        s = RunStateMachine.apply(s, new RunEvent.Cancelled("r", "n", T.plusMillis(5)));
        assertThat(s.stopLevel()).isEqualTo(StopLevel.AFTER_NODE);
        assertThat(s.cancelOrigin()).isEqualTo(CancelOrigin.CLI);
    }

    @Test
    void aQueuedRunCancelledKeepsWhoAskedToo() {
        var s = RunStateMachine.apply(null, new RunEvent.Submitted("r", "g", "q", Map.of(), T));
        s = RunStateMachine.apply(s, new RunEvent.CancelRequested("r", T, StopLevel.CANCEL, CancelOrigin.SHUTDOWN, null));
        assertThat(s.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(s.cancelOrigin()).isEqualTo(CancelOrigin.SHUTDOWN);
    }

    @Test
    void anEscalationIsRecordedWithItsAskerAndASofterOrEqualRequestChangesNothing() {
        var s = RunStateMachine.apply(running(), new RunEvent.CancelRequested("r", T, StopLevel.AFTER_NODE, CancelOrigin.CONSOLE, null));
        var requested = s.cancelRequestedAt();
        assertThat(RunStateMachine.apply(s, new RunEvent.CancelRequested("r", T.plusMillis(1), StopLevel.AFTER_NODE, CancelOrigin.API, null))).isNull();
        var escalated = RunStateMachine.apply(s, new RunEvent.CancelRequested("r", T.plusMillis(2), StopLevel.KILL, CancelOrigin.SIGNAL, null));
        assertThat(escalated.status()).isEqualTo(RunStatus.CANCELLING);
        assertThat(escalated.stopLevel()).isEqualTo(StopLevel.KILL);
        assertThat(escalated.cancelOrigin()).isEqualTo(CancelOrigin.SIGNAL);
        assertThat(escalated.cancelRequestedAt()).as("latency counts from the first request").isEqualTo(requested);
        assertThat(RunStateMachine.apply(escalated, new RunEvent.CancelRequested("r", T.plusMillis(3), StopLevel.CANCEL, CancelOrigin.API, null))).isNull();
    }

    @Test
    void aSnapshotWrittenBeforeTheseFieldsReadsWithThemNull() {
        var s = RunStateMachine.apply(running(), new RunEvent.CancelRequested("r", T, StopLevel.KILL, CancelOrigin.API, null));
        var json = Json.write(s);
        assertThat(json).contains("\"stopLevel\":\"kill\"").contains("\"cancelOrigin\":\"API\"");
        var old = json.replace(",\"stopLevel\":\"kill\"", "").replace(",\"cancelOrigin\":\"API\"", "");
        var read = Json.read(old, RunSnapshot.class);
        assertThat(read.stopLevel()).isNull();
        assertThat(read.cancelOrigin()).isNull();
        assertThat(read.status()).isEqualTo(RunStatus.CANCELLING);
        assertThat(Json.read(json, RunSnapshot.class)).isEqualTo(s);
    }

    @Test
    void anOldCancelEventReadsAsAPlainRequestFromNobodyInParticular() {
        var e = Json.read("{\"type\":\"cancel-requested\",\"runId\":\"r\",\"at\":\"2026-01-01T00:00:00Z\"}", RunEvent.class);
        assertThat(e).isEqualTo(new RunEvent.CancelRequested("r", T));
        var withOrigin = new RunEvent.CancelRequested("r", T, StopLevel.CANCEL, CancelOrigin.CONSOLE, null);
        assertThat(Json.read(Json.write(withOrigin), RunEvent.class)).isEqualTo(withOrigin);
    }

    @Test
    void aPolicyStopKeepsItsOriginAndTheLimitItBroke() {
        var request = new CancelRequest(StopLevel.CANCEL, CancelOrigin.DEADLINE, CancelMode.INTERRUPT, "max-runtime 10m");
        var s = RunStateMachine.apply(running(), new RunEvent.CancelRequested("r", T, request));
        s = RunStateMachine.apply(s, new RunEvent.Cancelled("r", "n", T.plusMillis(5)));
        assertThat(s.cancelOrigin()).isEqualTo(CancelOrigin.DEADLINE);
        assertThat(s.cancelReason()).isEqualTo("max-runtime 10m");
        assertThat(Json.read(Json.write(s), RunSnapshot.class)).isEqualTo(s);
        assertThat(CancelOrigin.DEADLINE.isPolicy()).isTrue();
        assertThat(CancelOrigin.CONSOLE.isPolicy()).isFalse();
    }

    @Test
    void aLevelOrOriginFromANewerWriterReadsAsUnknownAndTheRestOfTheRecordStillReads() {
        var s = RunStateMachine.apply(running(), new RunEvent.CancelRequested("r", T, StopLevel.KILL, CancelOrigin.API, null));
        var newer = Json.write(s).replace("\"stopLevel\":\"kill\"", "\"stopLevel\":\"vaporise\"")
                .replace("\"cancelOrigin\":\"API\"", "\"cancelOrigin\":\"ROBOT\"");
        var read = Json.read(newer, RunSnapshot.class);
        assertThat(read.stopLevel()).isNull();
        assertThat(read.cancelOrigin()).isNull();
        assertThat(read.status()).isEqualTo(RunStatus.CANCELLING);
    }

    @Test
    void aCancelRequestFillsWhatWasNotSaidAndKeepsItsReasonShort() {
        var r = new CancelRequest(null, null, null, "  ");
        assertThat(r).isEqualTo(CancelRequest.DEFAULT);
        assertThat(CancelRequest.by(CancelOrigin.CLI).at(StopLevel.KILL).withMode(CancelMode.ROLLBACK).because("x"))
                .isEqualTo(new CancelRequest(StopLevel.KILL, CancelOrigin.CLI, CancelMode.ROLLBACK, "x"));
        assertThat(CancelRequest.DEFAULT.because("y".repeat(1_000)).reason()).hasSize(CancelRequest.MAX_REASON);
    }
}
