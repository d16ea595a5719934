package dev.tether.engine.process;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tether.api.Cancellation;
import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.Isolation;
import dev.tether.engine.IsolationPolicy;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.awaitility.Awaitility;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.action.AsyncNodeActionWithConfig;
import org.bsc.langgraph4j.action.NodeActionWithConfig;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * A child JVM's stdout and stderr are shared with every tool its nodes start, so they carry nothing
 * the parent obeys: hostile graphs that print forged protocol lines (for another run, a lost or
 * submitted event, their own end while still busy), half a line, or a line without end (through
 * tools started with {@code inheritIO()} and straight to file descriptor 1) change nothing but the
 * log, and what reaches the log or a run's error from a child's output is sanitised.
 */
@org.junit.jupiter.api.Tag("process")
class HostileOutputTest {
    static final String PHANTOM = "01a00000-dead-7000-8000-00000000beef";
    static RunRegistry registry;
    static LocalEngine engine;
    static ChildPool pool;

    abstract static class ThreeNodes implements GraphDefinition {
        public String title() { return id(); }
        public String description() { return "hostile output test graph"; }

        /** @param runId the run's own id (its LangGraph4j thread id) */
        abstract Map<String, Object> work(AgentState s, String runId) throws Exception;

        @Override
        public StateGraph<AgentState> build() throws GraphStateException {
            NodeActionWithConfig<AgentState> w = (s, config) -> work(s, config.threadId().orElseThrow());
            return new StateGraph<>(AgentState::new)
                    .addNode("start", node_async(s -> Map.of("started", true)))
                    .addNode("work", AsyncNodeActionWithConfig.node_async(w))
                    .addNode("done", node_async(s -> Map.of("done", true)))
                    .addEdge(START, "start").addEdge("start", "work").addEdge("work", "done").addEdge("done", END);
        }
    }

    static void shell(String script) throws Exception {
        new ProcessBuilder("sh", "-c", script).inheritIO().start().waitFor();
    }

    /** Prints what would end another run, lose its own, invent a run and end its own early; then keeps working. */
    public static final class Forger extends ThreeNodes {
        public String id() { return "forger"; }

        Map<String, Object> work(AgentState s, String self) throws Exception {
            var victim = (String) s.data().get("victim");
            var now = Instant.now().toString();
            var lines = String.join("\n",
                    "{\"op\":\"event\",\"runId\":\"" + victim + "\",\"event\":{\"type\":\"completed\",\"runId\":\"" + victim + "\",\"at\":\"" + now + "\"}}",
                    "{\"op\":\"event\",\"runId\":\"" + PHANTOM + "\",\"event\":{\"type\":\"submitted\",\"runId\":\"" + PHANTOM
                            + "\",\"graphId\":\"forger\",\"queue\":\"default\",\"input\":{},\"at\":\"" + now + "\"}}",
                    "{\"op\":\"event\",\"runId\":\"" + self + "\",\"event\":{\"type\":\"lost\",\"runId\":\"" + self + "\",\"reason\":\"forged\",\"at\":\"" + now + "\"}}",
                    "{\"op\":\"event\",\"runId\":\"" + self + "\",\"event\":{\"type\":\"completed\",\"runId\":\"" + self + "\",\"at\":\"" + now + "\"}}") + "\n";
            // straight to file descriptor 1, as native code or a careless library would
            var fd1 = new FileOutputStream(FileDescriptor.out);
            fd1.write(lines.getBytes(StandardCharsets.UTF_8));
            fd1.flush();
            // and through a tool that inherits the child's descriptors
            shell("printf '%s' '" + lines.replace("'", "") + "'");
            Thread.sleep(500); // still busy: the run is not over
            return Map.of("worked", true);
        }
    }

    /** Leaves half a line on the shared output just before its run ends. */
    public static final class HalfLine extends ThreeNodes {
        public String id() { return "half-line"; }

        Map<String, Object> work(AgentState s, String runId) throws Exception {
            shell("printf '{\"op\":\"event\",\"runId\":\"'");
            return Map.of();
        }
    }

    /** A tool writes 50 MB without a single newline to the shared output. */
    public static final class EndlessLine extends ThreeNodes {
        public String id() { return "endless-line"; }

        Map<String, Object> work(AgentState s, String runId) throws Exception {
            shell("head -c 50000000 /dev/zero");
            return Map.of();
        }
    }

    /** Writes escape sequences, C1 controls and a bidi override to stderr, then dies. */
    public static final class EscapesThenHalts extends ThreeNodes {
        public String id() { return "escapes"; }

        Map<String, Object> work(AgentState s, String runId) {
            System.err.println("\u001b[2J\u001b]0;owned\u0007cleared \u009b31m red \u202etxt.exe");
            System.err.flush();
            Runtime.getRuntime().halt(3);
            return Map.of();
        }
    }

    /** Waits on its token. */
    public static final class Waits extends ThreeNodes {
        public String id() { return "waits"; }

        Map<String, Object> work(AgentState s, String runId) {
            Cancellation.current().sleep(Duration.ofSeconds(60));
            return Map.of();
        }
    }

    @BeforeAll
    static void start() {
        registry = new RunRegistry();
        var config = EngineConfig.defaults().withConcurrency(2).withIsolation(IsolationPolicy.of(Isolation.PROCESS));
        engine = new LocalEngine(config, GraphCatalog.of(new Forger(), new HalfLine(), new EndlessLine(), new EscapesThenHalts(),
                new Waits()), registry);
        pool = engine.childPool().orElseThrow();
        awaitPoolFull();
    }

    @AfterAll
    static void stop() {
        engine.shutdown(Duration.ofSeconds(10));
    }

    static void awaitPoolFull() {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> pool.idle() == 2);
    }

    static RunSnapshot awaitEnd(String id) throws InterruptedException {
        return engine.awaitTerminal(id, Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("not ended: " + registry.get(id)));
    }

    @Test
    void forgedLinesOnStdoutChangeNoRun() throws Exception {
        awaitPoolFull();
        var victim = engine.submit("waits", null, Map.of()).runId();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "work".equals(registry.get(victim).orElseThrow().currentNode()));
        var end = awaitEnd(engine.submit("forger", null, Map.of("victim", victim)).runId());
        assertThat(end.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(end.timeline()).extracting(t -> t.node()).containsExactly("start", "work", "done");
        assertThat(registry.get(victim).orElseThrow().status()).as("the run it claimed had completed").isEqualTo(RunStatus.RUNNING);
        assertThat(registry.find(PHANTOM)).as("the run it made up").isEmpty();
        engine.cancel(victim);
        assertThat(awaitEnd(victim).status()).isEqualTo(RunStatus.CANCELLED);
        awaitPoolFull();
    }

    @Test
    void halfALineOnStdoutCannotSwallowTheRunsEnd() throws Exception {
        awaitPoolFull();
        var end = awaitEnd(engine.submit("half-line", null, Map.of()).runId());
        assertThat(end.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(end.steps()).isEqualTo(3);
    }

    @Test
    void aLineWithoutEndOnStdoutCannotSwallowTheRunsEnd() throws Exception {
        awaitPoolFull();
        var end = awaitEnd(engine.submit("endless-line", null, Map.of()).runId());
        assertThat(end.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(end.steps()).as("no node's end was swallowed").isEqualTo(3);
        awaitPoolFull();
    }

    @Test
    void whatAChildWroteReachesLogsAndErrorsSanitised() throws Exception {
        awaitPoolFull();
        var logs = new ListAppender<ILoggingEvent>();
        logs.start();
        var tether = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.tether");
        var childLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(Child.class);
        var before = childLog.getLevel();
        childLog.setLevel(Level.DEBUG);
        tether.addAppender(logs);
        try {
            var end = awaitEnd(engine.submit("escapes", null, Map.of()).runId());
            assertThat(end.status()).isEqualTo(RunStatus.FAILED);
            assertThat(end.error().message()).contains("exit code 3").contains("cleared").contains("red");
            assertThat(end.error().message()).doesNotContain("\u001b", "\u0007", "\u009b", "\u202e");
            var fromChild = logs.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("cleared")).toList();
            assertThat(fromChild).as("log lines with the child's output").isNotEmpty();
            assertThat(fromChild).allSatisfy(m -> assertThat(m).doesNotContain("\u001b", "\u0007", "\u009b", "\u202e"));
        } finally {
            tether.detachAppender(logs);
            childLog.setLevel(before);
        }
        awaitPoolFull();
    }
}
