package dev.tether.engine;

import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.serializer.StateSerializer;
import org.bsc.langgraph4j.state.AgentState;
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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The copy of a run's state LangGraph4j makes twice per node (its output and its checkpoint): by
 * serializing it (LangGraph4j's own serializer) against Tether's copy of a plain state. Two states:
 * the bench graphs' (a few short values) and a chat's (40 messages of about 400 characters). Run in
 * both the launcher's JIT (C1 only, as workers run) and the full one:
 * {@code mvn -B -q -Pbench test-compile exec:exec -Dbench.main=dev.tether.engine.StateCopyBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx1g", "-XX:+UseSerialGC"})
public class StateCopyBench {
    @Param({"small", "chat"})
    String state;

    @Param({"c1", "c2"})
    String jit;

    private StateSerializer<AgentState> langgraph;
    private StateSerializer<AgentState> tether;
    private Map<String, Object> data;

    @Setup
    public void setUp() {
        var graph = new StateGraph<>(AgentState::new);
        langgraph = graph.getStateSerializer();
        GraphStateSerializer.install(graph, StateGraph.class.getClassLoader(), "bench");
        tether = graph.getStateSerializer();
        data = new HashMap<>();
        if (state.equals("small")) {
            data.putAll(Map.of("customer", "ada@example.com", "nodeMillis", 0, "jitter", 0, "sent", List.of("welcome")));
        } else {
            var messages = new ArrayList<Map<String, Object>>();
            for (int i = 0; i < 40; i++) {
                messages.add(Map.of("role", i % 2 == 0 ? "user" : "assistant", "content", ("message " + i + ": ").repeat(30), "tokens", 97 + i));
            }
            data.putAll(Map.of("messages", messages, "topic", "a long conversation", "turn", 40));
        }
    }

    @Benchmark
    public AgentState langgraph4jSerializing() throws Exception {
        return langgraph.cloneObject(data);
    }

    @Benchmark
    public AgentState tetherCopying() throws Exception {
        return tether.cloneObject(data);
    }

    public static void main(String[] args) throws Exception {
        dev.tether.bench.BothJits.run(StateCopyBench.class);
    }
}
