package dev.tether.bench;

import dev.tether.api.Cancellation;
import dev.tether.api.GraphDefinition;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/** The graphs the benchmarks run, identical for plain LangGraph4j and for the engine. */
final class BenchGraphs {
    private BenchGraphs() {}

    /** Signals when a run enters its slow node, so the benchmark cancels inside it. */
    static final AtomicReference<CountDownLatch> ENTERED = new AtomicReference<>(new CountDownLatch(0));

    /** When the slow node of the sleeping graph last woke from its sleep (System.nanoTime): where a cancel's time goes. */
    static volatile long wokeNanos;

    /** On which CPU the slow node of the sleeping graph last woke ({@link Cpu#now}). */
    static volatile int wokeCpu;

    /** first → slow (blocked in a 10 s Thread.sleep) → last. */
    static GraphDefinition sleeping() {
        return threeNodes("sleeping", () -> {
            ENTERED.get().countDown();
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                wokeNanos = System.nanoTime();
                wokeCpu = Cpu.now();
                throw e;
            }
        });
    }

    /** first → slow (CPU-bound for {@code millis}, checking its token every 4,096 rounds) → last. */
    static GraphDefinition cpu(long millis) {
        return threeNodes("cpu", () -> {
            ENTERED.get().countDown();
            var token = Cancellation.current();
            long deadline = System.nanoTime() + millis * 1_000_000L;
            long x = 1;
            for (long i = 0; ; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                if ((i & 4095) == 0) {
                    token.throwIfCancelled();
                    if (System.nanoTime() > deadline) break;
                }
            }
            if (x == 42) System.out.print("");
        });
    }

    /** {@code n} trivial nodes in a line: what the per-node overhead is measured on. */
    static GraphDefinition chain(int n) {
        return new Def("chain-" + n) {
            @Override
            public StateGraph<AgentState> build() throws GraphStateException {
                var g = new StateGraph<>(AgentState::new);
                String prev = START;
                for (int i = 0; i < n; i++) {
                    var id = "n" + i;
                    g.addNode(id, node_async(s -> Map.of()));
                    g.addEdge(prev, id);
                    prev = id;
                }
                return g.addEdge(prev, END);
            }
        };
    }

    interface Work {
        void run() throws Exception;
    }

    private static GraphDefinition threeNodes(String id, Work slow) {
        return new Def(id) {
            @Override
            public StateGraph<AgentState> build() throws GraphStateException {
                return new StateGraph<>(AgentState::new)
                        .addNode("first", node_async(s -> Map.of("first", true)))
                        .addNode("slow", node_async(s -> {
                            slow.run();
                            return Map.of("slow", true);
                        }))
                        .addNode("last", node_async(s -> Map.of("last", true)))
                        .addEdge(START, "first").addEdge("first", "slow").addEdge("slow", "last").addEdge("last", END);
            }
        };
    }

    private abstract static class Def implements GraphDefinition {
        private final String id;

        Def(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String title() {
            return id;
        }

        @Override
        public String description() {
            return "benchmark graph " + id;
        }
    }
}
