package dev.tether.engine.process;

import dev.tether.testing.Hang;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.run.CancelOutcome;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.Isolation;
import dev.tether.engine.IsolationPolicy;
import dev.tether.engine.LocalEngine;
import dev.tether.run.StopLevel;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunStatus;
import org.awaitility.Awaitility;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * A node that daemonises what it starts ({@code setsid sleep N &}, or a double fork) puts it out of
 * its tree's reach: its parent is gone, so a walk down from the child JVM no longer finds it. However
 * the run ends (killed, killed after the grace of a cancel it ignored, or completed), nothing it
 * started may outlive it; a forced run is reported only once none of it is left (looked up in /proc).
 */
@org.junit.jupiter.api.Tag("process")
class DaemonisingNodesTest {
    static RunRegistry registry;
    static LocalEngine engine;
    static ChildPool pool;
    private final List<String> tokens = new ArrayList<>();

    /** Daemonises a {@code sleep} with a unique duration (its mark in /proc), then works deafly or returns. */
    public static final class Daemonises implements GraphDefinition {
        public String id() { return "daemonises"; }
        public String title() { return id(); }
        public String description() { return "starts a process that leaves its tree"; }

        @Override
        public StateGraph<AgentState> build() throws GraphStateException {
            return new StateGraph<>(AgentState::new)
                    .addNode("work", node_async(s -> {
                        var token = (String) s.data().get("token");
                        var script = "setsid".equals(s.data().get("shape"))
                                ? "setsid sleep " + token + " </dev/null >/dev/null 2>&1 &"
                                : "(sleep " + token + " </dev/null >/dev/null 2>&1 &) &";
                        try {
                            new ProcessBuilder("sh", "-c", script).start().waitFor(); // the shell is gone: the sleep is an orphan
                            // a double fork's inner shell may start the sleep a moment after the outer one ended
                            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                            while (sleepers(token).isEmpty() && System.nanoTime() < until) Thread.sleep(5);
                            Files.writeString(Path.of((String) s.data().get("readyFile")), "ready");
                        } catch (IOException | InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        var go = (String) s.data().get("goFile");
                        long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                        while (System.nanoTime() < end) {
                            if (go != null && Files.exists(Path.of(go))) return Map.of("daemonised", true);
                            try {
                                Thread.sleep(50);
                            } catch (InterruptedException e) {
                                // deaf: only a kill ends it
                            }
                        }
                        return Map.of();
                    }))
                    .addEdge(START, "work").addEdge("work", END);
        }
    }

    @BeforeAll
    static void start() {
        registry = new RunRegistry();
        var config = EngineConfig.defaults().withConcurrency(1).withCancelGrace(Duration.ofMillis(500))
                .withIsolation(IsolationPolicy.of(Isolation.PROCESS));
        engine = new LocalEngine(config, GraphCatalog.of(new Daemonises()), registry);
        pool = engine.childPool().orElseThrow();
        awaitPoolFull();
    }

    @AfterAll
    static void stop() {
        engine.shutdown(Duration.ofSeconds(10));
    }

    @AfterEach
    void killLeftovers() {
        // on a Tether that lets them escape, they must not outlive the test either
        for (var token : tokens) sleepers(token).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    static void awaitPoolFull() {
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).pollInterval(Duration.ofMillis(20))
                .until(() -> pool.idle() == 1 && pool.live() == 1);
    }

    @ParameterizedTest(name = "{0}, then {1}")
    @CsvSource({"setsid, kill", "double-fork, kill", "setsid, cancel", "double-fork, cancel", "setsid, complete", "double-fork, complete"})
    void nothingTheNodeDaemonisedOutlivesTheRun(String shape, String ending, @TempDir Path dir) throws Exception {
        awaitPoolFull();
        var token = "3000." + ThreadLocalRandom.current().nextInt(100_000_000, 999_999_999);
        tokens.add(token);
        var readyFile = dir.resolve("ready");
        var goFile = dir.resolve("go");
        var input = new java.util.HashMap<String, Object>(Map.of("token", token, "shape", shape, "readyFile", readyFile.toString()));
        if (ending.equals("complete")) input.put("goFile", goFile.toString());
        var id = engine.submit("daemonises", null, input).runId();
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> Files.exists(readyFile));
        assertThat(sleepers(token)).as("the daemonised sleep runs").hasSize(1);

        switch (ending) {
            case "kill" -> assertThat(engine.cancel(id, dev.tether.run.CancelRequest.of(StopLevel.KILL))).isEqualTo(CancelOutcome.CANCELLING);
            case "cancel" -> assertThat(engine.cancel(id)).isEqualTo(CancelOutcome.CANCELLING); // ignored: killed after the grace
            default -> Files.writeString(goFile, "go");
        }
        var end = engine.awaitTerminal(id, Hang.ACROSS_PROCESSES).orElseThrow();
        if (ending.equals("complete")) {
            assertThat(end.status()).isEqualTo(RunStatus.COMPLETED);
            // the child clears what the run started before it takes another run
            awaitPoolFull();
        } else {
            assertThat(end.status()).isEqualTo(RunStatus.CANCELLED);
            assertThat(end.forced()).isTrue();
        }
        assertThat(sleepers(token)).as("processes the run started, running once its end is reported").isEmpty();
        awaitPoolFull();
    }

    /** Running processes (zombies are not) whose command line is {@code sleep TOKEN}. */
    static List<Long> sleepers(String token) {
        var found = new ArrayList<Long>();
        try (var dirs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (var d : dirs) {
                try {
                    var cmd = new String(Files.readAllBytes(d.resolve("cmdline")), StandardCharsets.ISO_8859_1);
                    if (!cmd.equals("sleep\0" + token + "\0")) continue;
                    var stat = Files.readString(d.resolve("stat"), StandardCharsets.ISO_8859_1);
                    char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
                    if (state != 'Z' && state != 'X') found.add(Long.parseLong(d.getFileName().toString()));
                } catch (IOException | RuntimeException gone) {
                    // it ended while we looked
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }
}
