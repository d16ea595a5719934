package dev.tether.engine.process;

import dev.tether.api.Cancellation;
import dev.tether.api.GraphDefinition;
import dev.tether.api.Inputs;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.action.NodeAction;
import org.bsc.langgraph4j.state.AgentState;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * Graphs that misbehave in the ways a real plugin does, each a class with a no-argument constructor
 * so a child JVM can load it by name. Each has a quick first node, then {@code work}, then {@code done}.
 */
final class ProcessGraphs {
    private ProcessGraphs() {}

    abstract static class Base implements GraphDefinition {
        @Override
        public String title() {
            return id();
        }

        @Override
        public String description() {
            return "process isolation test graph " + id();
        }

        abstract Map<String, Object> work(AgentState s) throws Exception;

        @Override
        public StateGraph<AgentState> build() throws GraphStateException {
            NodeAction<AgentState> w = this::work;
            return new StateGraph<>(AgentState::new)
                    .addNode("start", node_async(s -> Map.of("started", true)))
                    .addNode("work", node_async(w))
                    .addNode("done", node_async(s -> Map.of("done", true)))
                    .addEdge(START, "start").addEdge("start", "work").addEdge("work", "done").addEdge("done", END);
        }
    }

    /**
     * Sleeps on its token: stops within milliseconds of a cancel. Given a {@code gate} (a file's path),
     * it waits, on its token too, until that file exists instead: a test in another process decides
     * when the node ends.
     */
    public static final class Cooperative extends Base {
        public String id() { return "coop"; }

        Map<String, Object> work(AgentState s) {
            var gate = s.value("gate").map(String::valueOf).map(Path::of);
            if (gate.isPresent()) {
                while (!Files.exists(gate.get())) Cancellation.current().sleep(Duration.ofMillis(10));
                return Map.of();
            }
            Cancellation.current().sleep(Duration.ofMillis(Inputs.longOf(s.data(), "millis", 30_000)));
            return Map.of();
        }
    }

    /** Does nothing: for start-up and throughput. */
    public static final class Quick extends Base {
        public String id() { return "quick"; }

        Map<String, Object> work(AgentState s) {
            return Map.of("x", 1);
        }
    }

    /** Blocked reading a socket nobody writes to: neither interrupts nor the token reach it. */
    public static final class SocketRead extends Base {
        public String id() { return "socket-read"; }

        Map<String, Object> work(AgentState s) throws Exception {
            try (var server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 var client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 var accepted = server.accept()) {
                InputStream in = client.getInputStream();
                return Map.of("read", in.read());
            }
        }
    }

    /** Swallows every interrupt and never looks at its token. */
    public static final class SwallowsInterrupts extends Base {
        public String id() { return "swallows"; }

        Map<String, Object> work(AgentState s) {
            long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (System.nanoTime() < end) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    // deliberately deaf
                }
            }
            return Map.of();
        }
    }

    /** Starts {@code sleep 1000}, writes its pid to the file named in its input, then waits on it deafly. */
    public static final class StartsSubprocess extends Base {
        public String id() { return "subprocess"; }

        Map<String, Object> work(AgentState s) throws Exception {
            var sleeper = new ProcessBuilder("sleep", "1000").start();
            Files.writeString(Path.of((String) s.data().get("pidFile")), Long.toString(sleeper.pid()));
            while (true) {
                try {
                    sleeper.waitFor();
                    return Map.of();
                } catch (InterruptedException e) {
                    // deliberately deaf
                }
            }
        }
    }

    /** Ends its JVM on the spot, as a crash would. */
    public static final class Halts extends Base {
        public String id() { return "halts"; }

        Map<String, Object> work(AgentState s) {
            System.err.println("about to halt");
            Runtime.getRuntime().halt(42);
            return Map.of();
        }
    }

    /**
     * A first node that ignores interrupts and ends when the file named by its {@code gate} input
     * exists (the test's say), then a second that must never run after an after-node stop.
     */
    public static final class TwoSteps implements GraphDefinition {
        public String id() { return "two-steps"; }
        public String title() { return id(); }
        public String description() { return "after-node test graph"; }

        @Override
        public StateGraph<AgentState> build() throws GraphStateException {
            return new StateGraph<>(AgentState::new)
                    .addNode("first", node_async(s -> {
                        var gate = Path.of((String) s.data().get("gate"));
                        while (!Files.exists(gate)) {
                            try {
                                Thread.sleep(10);
                            } catch (InterruptedException e) {
                                // deliberately deaf
                            }
                        }
                        return Map.of("first", true);
                    }))
                    .addNode("second", node_async(s -> Map.of("second", true)))
                    .addEdge(START, "first").addEdge("first", "second").addEdge("second", END);
        }
    }
}
