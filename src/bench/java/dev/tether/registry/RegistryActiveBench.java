package dev.tether.registry;

import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
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
 * Listing the active runs of a registry that also holds its full history (10,000 finished runs, the
 * default) and 16 running ones: as a busy worker's is after a while, where the cancel check lists
 * them four times a second. The walk of every run (what {@code active()} was) against the active
 * index. C1 only, as workers run:
 * {@code mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.registry.RegistryActiveBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"})
public class RegistryActiveBench {
    @Param({"0", "10000"})
    int finished;

    private RunRegistry registry;

    @Setup
    public void setUp() {
        registry = new RunRegistry();
        var t = Instant.now();
        for (int i = 0; i < finished + 16; i++) {
            var id = String.format("run-%08d", i);
            registry.apply(new RunEvent.Submitted(id, "welcome-email", "default", Map.of("customer", "ada@example.com"), t));
            registry.apply(new RunEvent.Started(id, "worker-1", t));
            if (i < finished) registry.apply(new RunEvent.Completed(id, t));
        }
    }

    @Benchmark
    public List<RunSnapshot> walkEveryRun() {
        return registry.select(r -> r.status().isActive());
    }

    @Benchmark
    public List<RunSnapshot> active() {
        return registry.active();
    }

    @Benchmark
    public List<String> activeIds() {
        return registry.activeIds();
    }

    public static void main(String[] args) throws Exception {
        new Runner(new OptionsBuilder().include(RegistryActiveBench.class.getSimpleName()).build()).run();
    }
}
