package dev.tether.soak;

import dev.tether.api.Cancellation;
import dev.tether.api.GraphDefinition;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;

/**
 * The soak's witness graph: five nodes in a row, each appending {@code "runId node startMillis pid"}
 * to the file named by its {@code log} input before it sleeps {@code nodeMillis} (cooperatively, on
 * the run's token). The run id is the LangGraph4j thread id, so the log says how often each run
 * really started each node, wherever it ran (this JVM, {@code serve}, a child JVM, a worker). It
 * reaches those processes as a plugin jar ({@link SoakPlugin}).
 */
public final class SoakGraph implements GraphDefinition {
    public static final String ID = "soak-counted";
    public static final List<String> NODES = List.of("s1", "s2", "s3", "s4", "s5");

    @Override public String id() { return ID; }
    @Override public String title() { return "Soak counted"; }
    @Override public String description() { return "Logs every node it starts, with its run id (soak tests)"; }
    @Override public String defaultQueue() { return "soak"; }

    @Override
    public Map<String, Object> defaultInput() {
        var in = new LinkedHashMap<String, Object>();
        in.put("log", "");
        in.put("nodeMillis", 50);
        return in;
    }

    @Override
    public StateGraph<AgentState> build() throws GraphStateException {
        var g = new StateGraph<>(AgentState::new);
        String previous = START;
        for (var node : NODES) {
            g.addNode(node, (state, config) -> {
                try {
                    step(node, state, config);
                    return CompletableFuture.completedFuture(Map.<String, Object>of("last", node));
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
            });
            g.addEdge(previous, node);
            previous = node;
        }
        g.addEdge(previous, END);
        return g;
    }

    private static void step(String node, AgentState state, RunnableConfig config) {
        var log = state.value("log").map(String::valueOf).orElse("");
        if (!log.isEmpty()) {
            var line = config.threadId().orElse("?") + " " + node + " " + System.currentTimeMillis() + " "
                    + ProcessHandle.current().pid() + "\n";
            try { // one short O_APPEND write per line: lines of concurrent writers never interleave
                Files.writeString(Path.of(log), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        long millis = Long.parseLong(String.valueOf(state.value("nodeMillis").orElse(0)));
        if (millis > 0) Cancellation.from(config).sleep(Duration.ofMillis(millis));
    }
}
