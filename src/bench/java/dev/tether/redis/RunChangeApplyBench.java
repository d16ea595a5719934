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
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a live view (console, {@code serve}, a submitter's own mirror) spends on one event of the events
 * channel, as {@code RunMirror} reads it: a short run's end as a change from its RUNNING version (telling it
 * from a whole snapshot, reading it, applying it), and a whole snapshot told apart. Both JITs, the
 * launcher's (C1 only) and the full one:
 * {@code mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.redis.RunChangeApplyBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx1g", "-XX:+UseSerialGC"})
public class RunChangeApplyBench {
    @Param({"c1", "c2"})
    String jit;

    private RunSnapshot running;
    private String change;
    private String snapshot;

    @Setup
    public void setUp() {
        var id = "0193f5a2c4e87b1d9e2f3a4b5c";
        var at = Instant.parse("2026-12-06T20:00:00Z");
        var s = RunStateMachine.apply(null, new RunEvent.Submitted(id, "welcome-email", "bench-fast", Map.of("nodeMillis", 0, "jitter", 0), at));
        s = RunStateMachine.apply(s, new RunEvent.Started(id, "bench-1", at = at.plusMillis(2)));
        for (var node : List.of("validate", "render", "send")) {
            s = RunStateMachine.apply(s, new RunEvent.NodeStarted(id, node, at = at.plusMillis(1)));
            s = RunStateMachine.apply(s, new RunEvent.NodeFinished(id, node, true, at = at.plusMillis(1)));
        }
        running = s;
        var completed = RunStateMachine.apply(s, new RunEvent.Completed(id, at.plusMillis(1)));
        change = RunChange.between(running, completed);
        snapshot = Json.write(completed);
    }

    @Benchmark
    public RunSnapshot applyAChange() {
        if (!RunChange.isChange(change)) throw new AssertionError();
        return RunChange.applyTo(running, RunChange.parse(change));
    }

    @Benchmark
    public boolean tellASnapshot() {
        return RunChange.isChange(snapshot);
    }

    public static void main(String[] args) throws Exception {
        for (var jit : List.of("c1", "c2")) {
            var options = new OptionsBuilder().include(RunChangeApplyBench.class.getSimpleName()).param("jit", jit);
            if (jit.equals("c1")) options.jvmArgsAppend("-XX:TieredStopAtLevel=1");
            new Runner(options.build()).run();
        }
    }
}
