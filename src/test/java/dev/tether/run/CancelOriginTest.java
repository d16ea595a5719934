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
        var s = RunStateMachine.apply(running(), new RunEvent.CancelRequested("r", T, "after-node", CancelOrigin.CLI));
        assertThat(s.stopLevel()).isEqualTo("after-node");
        assertThat(s.cancelOrigin()).isEqualTo(CancelOrigin.CLI);
        s = RunStateMachine.apply(s, new RunEvent.Cancelled("r", "n", T.plusMillis(5)));
        assertThat(s.stopLevel()).isEqualTo("after-node");
        assertThat(s.cancelOrigin()).isEqualTo(CancelOrigin.CLI);
    }

    @Test
    void aQueuedRunCancelledKeepsWhoAskedToo() {
        var s = RunStateMachine.apply(null, new RunEvent.Submitted("r", "g", "q", Map.of(), T));
        s = RunStateMachine.apply(s, new RunEvent.CancelRequested("r", T, "cancel", CancelOrigin.SHUTDOWN));
        assertThat(s.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(s.cancelOrigin()).isEqualTo(CancelOrigin.SHUTDOWN);
    }

    @Test
    void anEscalationIsRecordedWithItsAskerAndASofterOrEqualRequestChangesNothing() {
        var s = RunStateMachine.apply(running(), new RunEvent.CancelRequested("r", T, "after-node", CancelOrigin.CONSOLE));
        var requested = s.cancelRequestedAt();
        assertThat(RunStateMachine.apply(s, new RunEvent.CancelRequested("r", T.plusMillis(1), "after-node", CancelOrigin.API))).isNull();
        var escalated = RunStateMachine.apply(s, new RunEvent.CancelRequested("r", T.plusMillis(2), "kill", CancelOrigin.SIGNAL));
        assertThat(escalated.status()).isEqualTo(RunStatus.CANCELLING);
        assertThat(escalated.stopLevel()).isEqualTo("kill");
        assertThat(escalated.cancelOrigin()).isEqualTo(CancelOrigin.SIGNAL);
        assertThat(escalated.cancelRequestedAt()).as("latency counts from the first request").isEqualTo(requested);
        assertThat(RunStateMachine.apply(escalated, new RunEvent.CancelRequested("r", T.plusMillis(3), "cancel", CancelOrigin.API))).isNull();
    }

    @Test
    void aSnapshotWrittenBeforeTheseFieldsReadsWithThemNull() {
        var s = RunStateMachine.apply(running(), new RunEvent.CancelRequested("r", T, "kill", CancelOrigin.API));
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
        var withOrigin = new RunEvent.CancelRequested("r", T, "cancel", CancelOrigin.CONSOLE);
        assertThat(Json.read(Json.write(withOrigin), RunEvent.class)).isEqualTo(withOrigin);
    }
}
