package dev.tether.redis;

import dev.tether.json.Json;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A run's JSON as a worker writes it twice per run (the claim's RUNNING snapshot, the finish's COMPLETED one,
 * here a short run's end after three nodes), its change from the version before, and what a live view (console,
 * {@code serve}, a submitter's own mirror) does with each event: read a snapshot, or tell a change and apply it.
 * Both JITs, the launcher's (C1 only, as workers and consoles run) and the full one:
 * {@code mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.redis.SnapshotJsonBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx1g", "-XX:+UseSerialGC"})
public class SnapshotJsonBench {
    @Param({"c1", "c2"})
    String jit;

    private RunSnapshot running;
    private RunSnapshot completed;
    private String json;
    private String change;

    @Setup
    public void setUp() {
        var id = "0193f5a2c4e87b1d9e2f3a4b5c";
        var at = Instant.parse("2026-12-06T20:00:00.123Z");
        var s = RunStateMachine.apply(null, new RunEvent.Submitted(id, "welcome-email", "bench-fast", Map.of("nodeMillis", 0, "jitter", 0), at));
        s = RunStateMachine.apply(s, new RunEvent.Started(id, "bench-1", at = at.plusMillis(2)));
        for (var node : List.of("validate", "render", "send")) {
            s = RunStateMachine.apply(s, new RunEvent.NodeStarted(id, node, at = at.plusMillis(1)));
            s = RunStateMachine.apply(s, new RunEvent.NodeFinished(id, node, true, at = at.plusMillis(1)));
        }
        running = s;
        completed = RunStateMachine.apply(s, new RunEvent.Completed(id, at.plusMillis(1)));
        json = Json.write(completed);
        change = RunChange.between(running, completed);
    }

    @Benchmark
    public String writeASnapshot() {
        return Json.write(completed);
    }

    @Benchmark
    public String writeAChange() {
        return RunChange.between(running, completed);
    }

    @Benchmark
    public RunSnapshot readASnapshot() {
        return Json.read(json, RunSnapshot.class);
    }

    /** A live view's event for a run's end, as {@code RunMirror} takes it: told from a snapshot, read, applied. */
    @Benchmark
    public RunSnapshot applyAChange() {
        if (!RunChange.isChange(change)) throw new AssertionError();
        return RunChange.applyTo(running, RunChange.parse(change));
    }

    @Benchmark
    public boolean tellASnapshot() {
        return RunChange.isChange(json);
    }

    public static void main(String[] args) throws Exception {
        dev.tether.bench.BothJits.run(SnapshotJsonBench.class);
    }
}
