package dev.tether.redis;

import dev.tether.json.Json;
import dev.tether.run.CancelOrigin;
import dev.tether.run.ErrorInfo;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.StopLevel;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A change made from one version of a run and applied onto that same version gives exactly the newer
 * version, whatever happened in between; applied onto any other version it gives nothing (the record
 * must be read); a malformed one is refused, never half applied.
 */
class RunChangeTest {
    private final Random random = new Random();

    /** A run's versions along a random path through the state machine, as a worker writes them. */
    private List<RunSnapshot> randomRun() {
        var id = dev.tether.run.RunIds.next();
        var at = Instant.parse("2026-12-06T03:00:00Z").plusMillis(random.nextInt(1_000_000));
        var versions = new ArrayList<RunSnapshot>();
        var s = RunStateMachine.apply(null, new RunEvent.Submitted(id, "g", "q", Map.of("base", 1, "set", "x", "n", random.nextInt()), at));
        versions.add(s);
        s = RunStateMachine.apply(s, new RunEvent.Started(id, "w-" + random.nextInt(3), at = at.plusMillis(3)));
        versions.add(s);
        int nodes = random.nextInt(12);
        for (int i = 0; i < nodes; i++) {
            s = RunStateMachine.apply(s, new RunEvent.NodeStarted(id, "n" + i, at = at.plusMillis(random.nextInt(50))));
            versions.add(s);
            if (random.nextInt(6) == 0) {
                s = RunStateMachine.apply(s, new RunEvent.CancelRequested(id, at = at.plusMillis(1), StopLevel.CANCEL, CancelOrigin.CLI, "why " + i));
                versions.add(s);
                s = RunStateMachine.apply(s, new RunEvent.Cancelled(id, "n" + i, at = at.plusMillis(2), random.nextBoolean()));
                versions.add(s);
                return versions;
            }
            s = RunStateMachine.apply(s, new RunEvent.NodeFinished(id, "n" + i, random.nextInt(10) > 0, at = at.plusMillis(random.nextInt(50))));
            versions.add(s);
        }
        s = RunStateMachine.apply(s, random.nextBoolean() ? new RunEvent.Completed(id, at.plusMillis(1))
                : new RunEvent.Failed(id, new ErrorInfo("java.lang.IllegalStateException", "no \"luck\"\n", "at x"), at.plusMillis(1)));
        versions.add(s);
        return versions;
    }

    private static RunSnapshot applied(RunSnapshot onto, String change) {
        return RunChange.applyTo(onto, RunChange.parse(change));
    }

    @RepeatedTest(50)
    void aChangeAppliedOntoItsBaseGivesTheNewerVersionExactly() {
        var versions = randomRun();
        for (int i = 0; i < versions.size(); i++) {
            for (int j = i + 1; j < versions.size(); j++) { // a writer may skip versions (held progress): any pair
                var change = RunChange.between(versions.get(i), versions.get(j));
                assertThat(RunChange.isChange(change)).isTrue();
                assertThat(applied(versions.get(i), change)).as("v%d -> v%d", i + 1, j + 1).isEqualTo(versions.get(j));
            }
        }
    }

    @Test
    void aFieldTheNewerVersionClearsIsClearedByTheChange() {
        var id = "run-cleared";
        var at = Instant.parse("2026-12-06T20:00:00Z");
        var waiting = RunStateMachine.apply(RunStateMachine.apply(null, new RunEvent.Submitted(id, "g", "q", Map.of(), at)),
                new RunEvent.Waiting(id, "waiting: graph g at its limit of 1", at.plusMillis(1)));
        var started = RunStateMachine.apply(waiting, new RunEvent.Started(id, "w1", at.plusMillis(2)));
        assertThat(waiting.waiting()).isNotNull();
        assertThat(started.waiting()).isNull();

        assertThat(applied(waiting, RunChange.between(waiting, started))).isEqualTo(started);
    }

    @RepeatedTest(20)
    void aChangeAppliedOntoAnyOtherVersionGivesNothing() {
        var versions = randomRun();
        var last = versions.getLast();
        var change = RunChange.between(versions.get(1), last);
        for (int i = 0; i < versions.size(); i++) {
            if (i != 1) assertThat(applied(versions.get(i), change)).as("onto v%d", i + 1).isNull();
        }
        assertThat(applied(null, change)).as("onto a run not shown").isNull();
    }

    @Test
    void aSnapshotIsNotTakenForAChangeEvenWhenItsInputNamesTheirFields() {
        var versions = randomRun();
        for (var s : versions) assertThat(RunChange.isChange(Json.write(s))).isFalse();
        assertThat(RunChange.isChange("not json")).isFalse();
        assertThat(RunChange.isChange("[1,2]")).isFalse();
        assertThat(RunChange.isChange("{\"runId\":{\"base\":1},\"graphId\":\"g\"}")).isFalse();
        // ids with escapes, and keys in another order or spacing, are read by the parser: the same answers
        assertThat(RunChange.isChange("{\"runId\":\"a\\\",\\\"graphId\\\":\\\"\",\"base\":1,\"set\":{}}")).isTrue();
        assertThat(RunChange.isChange("{\"runId\":\"a\\\",\\\"base\\\":\\\"\",\"graphId\":\"g\"}")).isFalse();
        assertThat(RunChange.isChange("{\"runId\":\"a\\\\\",\"base\":1,\"set\":{}}")).isTrue();
        assertThat(RunChange.isChange("{ \"runId\" : \"a\" , \"base\" : 1, \"set\": {}}")).isTrue();
        assertThat(RunChange.isChange("{\"runId\":\"a\",\"status\":\"RUNNING\"}")).isFalse();
    }

    @Test
    void theEndOfALongRunIsSentAsItsLastNodesNotItsWholeTimeline() {
        var id = dev.tether.run.RunIds.next();
        var at = Instant.parse("2026-12-06T03:00:00Z");
        var s = RunStateMachine.apply(null, new RunEvent.Submitted(id, "g", "q", Map.of("prompt", "x".repeat(200)), at));
        s = RunStateMachine.apply(s, new RunEvent.Started(id, "w", at));
        for (int i = 0; i < 200; i++) {
            s = RunStateMachine.apply(s, new RunEvent.NodeStarted(id, "node-" + i, at = at.plusMillis(5)));
            s = RunStateMachine.apply(s, new RunEvent.NodeFinished(id, "node-" + i, true, at = at.plusMillis(5)));
        }
        var before = s;
        var end = RunStateMachine.apply(s, new RunEvent.Completed(id, at.plusMillis(1)));
        var change = RunChange.between(before, end);
        assertThat(change.length()).as("change against snapshot of %d bytes", Json.write(end).length()).isLessThan(Json.write(end).length() / 20);
        assertThat(applied(before, change)).isEqualTo(end);
    }

    @Test
    void aMalformedChangeIsRefusedWhole() {
        var versions = randomRun();
        var base = versions.get(1);
        String[] bad = {
                "{\"runId\":\"" + base.runId() + "\",\"base\":" + base.version() + ",\"set\":[]}",
                "{\"runId\":\"" + base.runId() + "\",\"base\":" + base.version() + ",\"set\":{\"version\":" + (base.version() + 1) + "},\"spansFrom\":7,\"spans\":[]}",
                "{\"runId\":\"" + base.runId() + "\",\"base\":" + base.version() + ",\"set\":{\"version\":" + (base.version() + 1) + "},\"spansFrom\":0,\"spans\":{}}",
                "{\"runId\":\"" + base.runId() + "\",\"base\":" + base.version() + ",\"set\":{\"version\":" + base.version() + "}}",
                "{\"runId\":\"" + base.runId() + "\",\"base\":" + base.version() + ",\"set\":{\"version\":" + (base.version() + 1) + ",\"runId\":\"other\"}}",
                "{\"runId\":\"" + base.runId() + "\",\"base\":" + base.version() + ",\"set\":{\"version\":" + (base.version() + 1) + ",\"status\":\"NOPE\"}}",
                "{\"runId\":\"" + base.runId() + "\",\"base\":" + base.version() + ",\"set\":{\"version\":" + (base.version() + 1) + ",\"status\":null}}",
        };
        for (var b : bad) assertThatThrownBy(() -> applied(base, b)).as(b).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RunChange.parse("{\"runId\":")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RunChange.runId(RunChange.parse("{\"base\":1,\"set\":{}}"))).isInstanceOf(IllegalArgumentException.class);
    }
}
