package dev.tether.redis;

import dev.tether.api.Cancellation;
import dev.tether.api.GraphDefinition;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * A test graph that testifies: five nodes, each appending "tag node startMillis pid" to the file
 * named by its {@code log} input before it sleeps {@code nodeMillis} (cooperatively). Counting the
 * lines tells how often each run really executed, and when each node started, in which process.
 * With {@code failAt} (a node) and {@code failMarker} (a file), that node fails once: the first time,
 * when the marker does not exist yet (a transient failure, whichever process runs it).
 * The node named by {@code holdAt}, after its sleep, waits (cooperatively) until the file named by {@code gate}
 * exists: a test in another process decides when that node ends.
 */
public final class CountingGraph implements GraphDefinition {
    static final List<String> NODES = List.of("n1", "n2", "n3", "n4", "n5");

    @Override public String id() { return "counted"; }
    @Override public String title() { return "Counted"; }
    @Override public String description() { return "Logs every node it starts (tests)"; }
    @Override public String defaultQueue() { return "counted"; }
    @Override public Map<String, Object> defaultInput() { return Map.of("nodeMillis", 0); }

    @Override
    public StateGraph<AgentState> build() throws GraphStateException {
        var g = new StateGraph<>(AgentState::new);
        String previous = START;
        for (var node : NODES) {
            g.addNode(node, node_async(state -> {
                var log = state.value("log").map(String::valueOf).orElse(null);
                if (log != null) {
                    var line = state.value("tag").orElse("?") + " " + node + " " + System.currentTimeMillis() + " " + ProcessHandle.current().pid() + "\n";
                    try {
                        Files.writeString(Path.of(log), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                var failMarker = state.value("failMarker").map(String::valueOf).orElse(null);
                if (node.equals(state.value("failAt").orElse(null)) && failMarker != null) {
                    try {
                        Files.createFile(Path.of(failMarker));
                        throw new IOException("transient failure in " + node);
                    } catch (java.nio.file.FileAlreadyExistsException again) {
                        // failed once already: it works now
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                long millis = Long.parseLong(String.valueOf(state.value("nodeMillis").orElse(0)));
                if (millis > 0) Cancellation.current().sleep(Duration.ofMillis(millis));
                if (node.equals(state.value("holdAt").orElse(null))) { // until the test creates the gate file
                    var gate = Path.of(String.valueOf(state.value("gate").orElseThrow()));
                    while (!Files.exists(gate)) Cancellation.current().sleep(Duration.ofMillis(10));
                }
                return Map.of();
            }));
            g.addEdge(previous, node);
            previous = node;
        }
        g.addEdge(previous, END);
        return g;
    }

    /** Node starts per tag (the test gives each run its own), in the order logged: {tag -> [[node, millis, pid], ...]}. */
    static Map<String, List<String[]>> read(Path log) throws IOException {
        var out = new java.util.HashMap<String, List<String[]>>();
        if (!Files.exists(log)) return out;
        for (var line : Files.readAllLines(log)) {
            var f = line.split(" ");
            if (f.length == 4) out.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new String[]{f[1], f[2], f[3]});
        }
        return out;
    }
}
