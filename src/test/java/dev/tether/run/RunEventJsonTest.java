package dev.tether.run;

import dev.tether.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Events and snapshots cross process boundaries as JSON; they must come back equal. */
class RunEventJsonTest {
    @Test
    void everyEventRoundTrips() {
        var t = Instant.parse("2026-03-04T05:06:07.123456Z");
        List<RunEvent> events = List.of(
                new RunEvent.Submitted("r", "g", "q", Map.of("n", 3, "s", "x"), t),
                new RunEvent.Started("r", "w", t),
                new RunEvent.NodeStarted("r", "a", t),
                new RunEvent.NodeFinished("r", "a", false, t),
                new RunEvent.CancelRequested("r", t),
                new RunEvent.Cancelled("r", "a", t),
                new RunEvent.Completed("r", t),
                new RunEvent.Failed("r", new ErrorInfo("java.lang.X", "m", "stack"), t),
                new RunEvent.Stuck("r", "a", t),
                new RunEvent.Lost("r", "gone", t),
                new RunEvent.Waiting("r", "waiting: graph g at its limit of 2", t),
                new RunEvent.Submitted("r", "g", "q", Map.of(), t, new ResumeOf("p", null, null),
                        RunPolicy.of(Map.of("max-runtime", "10m", "retries", "3", "retry-on", "failed,deadline",
                                "retry-jitter", "0.25", "retry-errors", "java.io.IOException,Timeout")).from("run"),
                        new Retry("p", 2, 4, t, "FAILED: IOException: reset")),
                new RunEvent.CancelRequested("r", t, new CancelRequest(StopLevel.CANCEL, CancelOrigin.DEADLINE, CancelMode.INTERRUPT, "max-runtime 10m")));
        for (var e : events) {
            var json = Json.write(e);
            assertThat(Json.read(json, RunEvent.class)).as(json).isEqualTo(e);
        }
    }

    @Test
    void snapshotRoundTrips() {
        var s = RunStateMachineTest.reach(RunStatus.CANCELLED);
        assertThat(Json.read(Json.write(s), RunSnapshot.class)).isEqualTo(s);
    }
}
