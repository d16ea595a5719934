package dev.tether.cli;

import dev.tether.testing.Hang;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.control.ControlFile;
import dev.tether.control.ControlServer;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunStatus;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * The command line's arguments, malformed every way, against a real server in this process: each
 * is exit 2 (or 3) with one line on stderr, and nothing is submitted or cancelled.
 */
class CommandLineArgumentsTest {
    @TempDir static Path home;
    static String previousHome;
    static LocalEngine engine;
    static ControlServer server;
    static String running;

    static final String ESCAPES = "\u001b[31mred\u001b[0m\u0007\u009b2J\u202e";

    /** A graph whose node name and error message carry terminal escape sequences. */
    record Noisy() implements GraphDefinition {
        public String id() { return "noisy"; }
        public String title() { return "Noisy"; }
        public String description() { return "names with escapes"; }
        public StateGraph<AgentState> build() throws org.bsc.langgraph4j.GraphStateException {
            return new StateGraph<>(AgentState::new)
                    .addNode("n" + ESCAPES, node_async(s -> { throw new IllegalStateException("\u001b]0;pwned\u0007 " + ESCAPES); }))
                    .addEdge(StateGraph.START, "n" + ESCAPES).addEdge("n" + ESCAPES, StateGraph.END);
        }
    }

    record Result(int exit, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        previousHome = System.getProperty("tether.home");
        System.setProperty("tether.home", home.toString());
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new Noisy());
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2), GraphCatalog.of(graphs), new RunRegistry());
        server = ControlServer.start(engine, ControlFile.defaultPath());
        running = engine.submit("book-workflow", null, Map.of("nodeMillis", 600_000, "jitter", 0.0)).runId();
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.shutdown(Duration.ofSeconds(5));
        if (previousHome == null) System.clearProperty("tether.home");
        else System.setProperty("tether.home", previousHome);
    }

    static Result tether(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString().trim(), err.toString().trim());
    }

    /** A usage error says "see `tether CMD --help`": that works for every command and subcommand, exit 0. */
    @Test
    void everyCommandAnswersHelp() {
        var all = new ArrayList<picocli.CommandLine>();
        var todo = new java.util.ArrayDeque<picocli.CommandLine>(new picocli.CommandLine(new TetherCommand()).getSubcommands().values());
        while (!todo.isEmpty()) {
            var c = todo.pop();
            all.add(c);
            todo.addAll(c.getSubcommands().values());
        }
        assertThat(all).hasSizeGreaterThan(10);
        for (var c : all) {
            var path = c.getCommandSpec().qualifiedName(" ").replaceFirst("^tether ", "").split(" ");
            var args = new ArrayList<>(List.of(path));
            args.add("--help");
            var r = tether(args.toArray(String[]::new));
            assertThat(r.exit()).as("%s: %s", args, r.err()).isZero();
            assertThat(r.out()).as(String.join(" ", args)).startsWith("Usage: " + c.getCommandSpec().qualifiedName(" "));
        }
    }

    @Test
    void aWorkerMetricsPortWithoutItsTokenIsExit2BeforeAnythingStarts() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("TETHER_METRICS_TOKEN") == null);
        var r = tether("worker", "--redis", "redis://127.0.0.1:1", "--metrics-port", "0");
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).isEqualTo("tether: --metrics-port needs a token in $TETHER_METRICS_TOKEN (scrapers send it as a bearer token)");
    }

    @Test
    void badArgumentsAreExit2WithOneLineAndChangeNothing() {
        var shortId = running.substring(running.length() - 8);
        var cases = List.of(
                List.of("cancel", ""), List.of("cancel", " "), List.of("cancel", "a"), List.of("cancel", "-"),
                List.of("cancel", shortId.substring(1)), List.of("cancel", running.substring(0, 7)),
                List.of("cancel", "../../etc"), List.of("cancel", "%zz"), List.of("cancel", running + "0"),
                List.of("cancel", "\u001b[2J"), List.of("status", ""), List.of("status", "1"), List.of("status", "x".repeat(5000)),
                List.of("cancel", shortId, "--wait", "--timeout", "NaN"), List.of("cancel", shortId, "--wait", "--timeout", "-5s"), List.of("cancel", shortId, "--wait", "--timeout", "-PT5S"),
                List.of("submit", "book-workflow", "-i", "jitter=NaN"), List.of("submit", "book-workflow", "-i", "jitter=Infinity"),
                List.of("submit", "book-workflow", "-i", "jitter=-Infinity"), List.of("submit", "book-workflow", "-i", "jitter=1e999"),
                List.of("submit", "book-workflow", "-i", "chapters=NaN"), List.of("submit", "book-workflow", "-i", "chapters=1e3"),
                List.of("submit", "book-workflow", "-i", "=5"), List.of("submit", "book-workflow", "-i", "chapters"),
                List.of("submit", "book-workflow", "-i", "chapters=1", "-i", "chapters=2"),
                List.of("submit", "book-workflow", "-q", "bad queue"), List.of("submit", ""), List.of("submit", "no-such-graph"),
                List.of("list", "--bogus"), List.of("list", "--all", "--limit", "0"), List.of("list", "--all", "--limit", "1001"),
                List.of("list", "--all", "--limit", "many"), List.of("list", "--all", "--status", "nope"),
                List.of("list", "--all", "--status", "COMPLETED,"), List.of("list", "--all", "--since", "soon"),
                List.of("list", "--all", "--until", "2026-13-01T00:00:00Z"), List.of("list", "--all", "--cursor", "garbage"),
                List.of("list", "--all", "--since", "1h", "--until", "2h"), List.of("list", "--since", "1h"),
                List.of("list", "--limit", "0"), List.of("list", "--limit", "10001"), List.of("list", "--status", "COMPLETED"),
                List.of("list", "--cursor", "garbage"), List.of("list", "--cursor", running + "0"), List.of("list", "--all", "--queue", "default"),
                List.of("no-such-command"), List.of("submit"), List.of("cancel"),
                List.of("console", "--queued-shown", "0"), List.of("console", "--queued-shown", "-5"), List.of("console", "--queued-shown", "lots"));
        for (var args : cases) {
            int before = engine.registry().size();
            var r = tether(args.toArray(String[]::new));
            assertThat(r.exit()).as(args + " -> " + r).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.err()).as(args.toString()).startsWith("tether: ");
            assertThat(r.err().lines().findFirst().orElseThrow()).as(args.toString()).doesNotContain("\u001b").doesNotContain("\tat ");
            assertThat(engine.registry().size()).as(args.toString()).isEqualTo(before);
            assertThat(engine.registry().get(running).orElseThrow().status()).as(args.toString()).isEqualTo(RunStatus.RUNNING);
        }
        assertThat(tether("status", shortId).exit()).isZero();
        assertThat(tether("status", "ffffffff").exit()).isEqualTo(ExitCodes.UNKNOWN_RUN);
    }

    @Test
    void namesThatWouldAliasARedisKeyAndOversizedInputsAreExit2WithOneLine() {
        int before = engine.registry().size();
        var queue = tether("submit", "welcome-email", "-q", "email:runs");
        assertThat(queue.exit()).as(queue.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(queue.err()).isEqualTo("tether: queue 'email:runs' is not valid: use 1-64 letters, digits, '_', '-' or '.'");
        var big = tether("submit", "welcome-email", "-i", "to=" + "x".repeat(dev.tether.engine.InputLimit.MAX_BYTES));
        assertThat(big.exit()).as(big.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(big.err()).startsWith("tether: input is ").endsWith("bytes as JSON, larger than the limit of 32768 bytes").doesNotContain("\n");
        assertThat(engine.registry().size()).as("nothing submitted").isEqualTo(before);
        // a worker's own name and queues, before it connects to anything
        var name = tether("worker", "--redis", "redis://127.0.0.1:1", "--name", "w:runs");
        assertThat(name.exit()).as(name.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(name.err()).isEqualTo("tether: worker name 'w:runs' is not valid: use 1-64 letters, digits, '_', '-' or '.'");
        var queues = tether("worker", "--redis", "redis://127.0.0.1:1", "--queues", "email,ai:processing");
        assertThat(queues.exit()).as(queues.toString()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(queues.err()).isEqualTo("tether: queue 'ai:processing' is not valid: use 1-64 letters, digits, '_', '-' or '.'");
    }

    @Test
    void randomRunIdsNeverReachAnotherRun() {
        var random = new Random(7);
        var alphabet = "0123456789abcdef-ABCDEFxyz%/ .\u001b\u0000";
        for (int i = 0; i < 200; i++) {
            var id = new StringBuilder();
            int n = random.nextInt(12);
            for (int k = 0; k < n; k++) id.append(alphabet.charAt(random.nextInt(alphabet.length())));
            var r = tether("cancel", id.toString());
            assertThat(r.exit()).as("cancel '" + id + "' -> " + r).isIn(ExitCodes.BAD_INPUT, ExitCodes.UNKNOWN_RUN);
            assertThat(engine.registry().get(running).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        }
    }

    @Test
    void graphsListsBrokenPluginsAsProblemsAndTheRest() throws Exception {
        var plugins = java.nio.file.Files.createDirectories(home.resolve("plugins"));
        try (var jar = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(plugins.resolve("gone.jar")))) {
            jar.putNextEntry(new java.util.jar.JarEntry("META-INF/services/dev.tether.api.GraphDefinition"));
            jar.write("demo.NotThere\n".getBytes());
        }
        try {
            var json = tether("graphs", "--json");
            assertThat(json.exit()).isZero();
            var doc = dev.tether.json.Json.mapper().readTree(json.out());
            assertThat(doc.path("graphs").findValuesAsText("id")).contains("book-workflow", "welcome-email");
            assertThat(doc.path("problems").get(0).asText()).startsWith("plugin gone.jar (demo.NotThere): the class is not in the jar");

            var human = tether("graphs");
            assertThat(human.exit()).isZero();
            assertThat(human.out()).contains("book-workflow").contains("Problems (these plugins are skipped):")
                    .contains("  - plugin gone.jar (demo.NotThere)");
        } finally {
            java.nio.file.Files.delete(plugins.resolve("gone.jar"));
        }
    }

    @Test
    void namesAndMessagesFromNodesReachTheTerminalWithoutControlCharacters() throws Exception {
        var id = engine.submit("noisy", null, Map.of()).runId();
        assertThat(engine.awaitTerminal(id, Hang.IN_PROCESS).orElseThrow().status()).isEqualTo(RunStatus.FAILED);

        var human = tether("status", id);
        assertThat(human.exit()).isZero();
        assertThat(human.out()).contains("Error: IllegalStateException: ?]0;pwned? ?[31mred?[0m").contains("n?[31mred");
        for (var c : new char[] {'\u001b', '\u0007', '\u009b', '\u202e'}) {
            assertThat(human.out()).doesNotContain(String.valueOf(c));
        }
        var list = tether("list", "--all");
        assertThat(list.out()).doesNotContain("\u001b").doesNotContain("\u009b");

        var json = tether("status", id, "--json");
        assertThat(json.out()).doesNotContain("\u001b").contains("\\u001B");
    }
}
