package dev.tether.graphs;

import dev.tether.api.Cancellation;
import dev.tether.api.GraphDefinition;
import dev.tether.api.Inputs;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * A CPU-bound node that cooperates: it never blocks, so interrupts do nothing, but it checks its
 * {@link Cancellation} token every few microseconds of work.
 */
public final class CpuCrunchGraph implements GraphDefinition {

    @Override
    public String id() {
        return "cpu-crunch";
    }

    @Override
    public String title() {
        return "CPU crunch";
    }

    @Override
    public String description() {
        return "A busy CPU-bound node that checks its cancellation token as it works";
    }

    @Override
    public Map<String, Object> defaultInput() {
        var in = new LinkedHashMap<String, Object>();
        in.put("millis", 5000);
        return in;
    }

    @Override
    public StateGraph<AgentState> build() throws GraphStateException {
        return new StateGraph<>(AgentState::new)
                .addNode("crunch", node_async(s -> Map.of("digest", crunch(Inputs.longOf(s.data(), "millis", 5000)))))
                .addNode("summarize", node_async(s -> Map.of("summary", "digest " + s.value("digest").orElse(0L))))
                .addEdge(START, "crunch")
                .addEdge("crunch", "summarize")
                .addEdge("summarize", END);
    }

    /** Mixes numbers for {@code millis} of CPU time, checking the token every 4,096 rounds. */
    static long crunch(long millis) {
        var token = Cancellation.current();
        long deadline = System.nanoTime() + millis * 1_000_000L;
        long x = 0x9E3779B97F4A7C15L;
        for (long i = 0; ; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            if ((i & 4095) == 0) {
                token.throwIfCancelled();
                if (System.nanoTime() >= deadline) return x;
            }
        }
    }
}
