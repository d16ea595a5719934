package dev.tether.engine.process;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.Isolation;
import dev.tether.engine.IsolationPolicy;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.store.SqliteCheckpointStore;
import dev.tether.store.TetherDatabase;
import dev.tether.testing.Gadget;
import dev.tether.testing.PluginJars;
import org.awaitility.Awaitility;
import org.bsc.langgraph4j.GraphStateException;
import org.bsc.langgraph4j.StateGraph;
import org.bsc.langgraph4j.state.AgentState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bsc.langgraph4j.StateGraph.END;
import static org.bsc.langgraph4j.StateGraph.START;
import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;

/**
 * Checkpoints of a plugin graph whose state holds the plugin's own class come back (through the
 * plugin's class loader) when its run is resumed, on a thread and in a child JVM; and a parent never
 * deserialises the states its children send, it keeps their bytes.
 */
class PluginCheckpointTest {
    @TempDir Path dir;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (var c : closing) c.close();
    }

    static final String NOTE = """
            package plug;
            public record Note(String text, int stars) implements java.io.Serializable {}
            """;
    static final String GRAPH = """
            package plug;
            import dev.tether.api.Cancellation;
            import dev.tether.api.GraphDefinition;
            import org.bsc.langgraph4j.StateGraph;
            import org.bsc.langgraph4j.state.AgentState;
            import java.nio.file.*;
            import java.time.Duration;
            import java.util.Map;
            import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;
            public class NotesGraph implements GraphDefinition {
                public String id() { return "notes"; }
                public String title() { return "Notes"; }
                public String description() { return "keeps a note of its own class in its state"; }
                public StateGraph<AgentState> build() throws org.bsc.langgraph4j.GraphStateException {
                    return new StateGraph<>(AgentState::new)
                        .addNode("write", node_async(s -> Map.of("note", new Note("kept", 5))))
                        .addNode("wait", node_async(s -> {
                            if (!Files.exists(Path.of((String) s.data().get("goFile")))) Cancellation.current().sleep(Duration.ofSeconds(60));
                            return Map.of();
                        }))
                        .addNode("read", node_async(s -> {
                            Object n = s.value("note").orElse(null);
                            if (!(n instanceof Note note) || !note.text().equals("kept")) throw new IllegalStateException("no note came back: " + n);
                            return Map.of("stars", note.stars());
                        }))
                        .addEdge(StateGraph.START, "write").addEdge("write", "wait").addEdge("wait", "read").addEdge("read", StateGraph.END);
                }
            }
            """;

    private LocalEngine engine(Isolation isolation, GraphCatalog catalog, RunRegistry registry) {
        var db = TetherDatabase.open(dir.resolve("tether.db"));
        var config = EngineConfig.defaults().withConcurrency(1)
                .withCheckpointSaver(new SqliteCheckpointStore(db, SqliteCheckpointStore.Limits.DEFAULT))
                .withIsolation(IsolationPolicy.of(isolation));
        var engine = new LocalEngine(config, catalog, registry);
        closing.add(db);
        closing.addFirst(() -> engine.shutdown(Duration.ofSeconds(10)));
        engine.childPool().ifPresent(pool -> Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> pool.idle() == 1));
        return engine;
    }

    private void aPluginsOwnClassComesBackOnResume(Isolation isolation) throws Exception {
        var plugins = Files.createDirectories(dir.resolve("plugins"));
        PluginJars.build(dir, plugins.resolve("notes.jar"), Map.of("plug.Note", NOTE, "plug.NotesGraph", GRAPH), "plug.NotesGraph");
        var catalog = GraphCatalog.load(plugins);
        assertThat(catalog.problems()).isEmpty();
        var registry = new RunRegistry();
        var engine = engine(isolation, catalog, registry);
        var goFile = dir.resolve("go");
        var id = engine.submit("notes", null, Map.of("goFile", goFile.toString())).runId();
        Awaitility.await().atMost(Duration.ofSeconds(30)).failFast(() -> registry.get(id).orElseThrow().isTerminal())
                .until(() -> "wait".equals(registry.get(id).orElseThrow().currentNode()));
        engine.cancel(id);
        assertThat(engine.awaitTerminal(id, Duration.ofSeconds(30)).orElseThrow().status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(engine.checkpoints(id)).extracting(c -> c.node()).containsExactly("__START__", "write");

        Files.writeString(goFile, "go");
        var again = engine.resume(id, null).runId();
        RunSnapshot end = engine.awaitTerminal(again, Duration.ofSeconds(60)).orElseThrow();
        assertThat(end.error()).isNull();
        assertThat(end.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(end.timeline()).extracting(t -> t.node()).containsExactly("wait", "read");
    }

    @Test
    void onAThreadAPluginsOwnClassInTheStateComesBackOnResume() throws Exception {
        aPluginsOwnClassComesBackOnResume(Isolation.THREAD);
    }

    @Test
    @Tag("process")
    void inAChildJvmAPluginsOwnClassInTheStateComesBackOnResume() throws Exception {
        aPluginsOwnClassComesBackOnResume(Isolation.PROCESS);
    }

    /** Keeps a date (stored with Java serialization) and waits in its second node until told to go on. */
    public static final class Dated implements GraphDefinition {
        public String id() { return "dated"; }
        public String title() { return id(); }
        public String description() { return "a state stored with Java serialization"; }

        @Override
        public StateGraph<AgentState> build() throws GraphStateException {
            return new StateGraph<>(AgentState::new)
                    .addNode("write", node_async(s -> Map.of("when", java.time.LocalDate.of(2026, 12, 4))))
                    .addNode("wait", node_async(s -> {
                        dev.tether.api.Cancellation.current().sleep(Duration.ofSeconds(60));
                        return Map.of();
                    }))
                    .addEdge(START, "write").addEdge("write", "wait").addEdge("wait", END);
        }
    }

    /**
     * A record of the store rewritten to declare an array of two billion elements in a hundred-odd
     * bytes (its checksum made to match): resuming from it fails with the reason, wherever the state
     * is read, and no heap is exhausted.
     */
    private void aCraftedStateIsRefusedOnResume(Isolation isolation) throws Exception {
        var registry = new RunRegistry();
        var engine = engine(isolation, GraphCatalog.of(new Dated()), registry);
        var id = engine.submit("dated", null, Map.of()).runId();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "wait".equals(registry.get(id).orElseThrow().currentNode()));
        engine.cancel(id);
        assertThat(engine.awaitTerminal(id, Duration.ofSeconds(30)).orElseThrow().status()).isEqualTo(RunStatus.CANCELLED);

        var bomb = dev.tether.engine.CheckpointCodec.encode(new java.util.LinkedHashMap<>(Map.of("x", new long[]{0x1122334455667788L})), true).bytes();
        for (int i = 0; i + 4 < bomb.length; i++) { // the array's length (1) just before its one element
            if (bomb[i] == 0 && bomb[i + 1] == 0 && bomb[i + 2] == 0 && bomb[i + 3] == 1 && bomb[i + 4] == 0x11) {
                bomb[i] = 0x7f;
                bomb[i + 1] = (byte) 0xff;
                bomb[i + 2] = (byte) 0xff;
                bomb[i + 3] = (byte) 0xf0;
            }
        }
        long crc = dev.tether.engine.CheckpointCodec.checksum(bomb);
        try (var db = TetherDatabase.open(dir.resolve("tether.db"))) {
            db.write(c -> {
                try (var u = c.prepareStatement("UPDATE checkpoint SET format = 'JAVA', state = ?, checksum = ?, bytes = ? WHERE thread_id = ? AND node = 'write'")) {
                    u.setBytes(1, bomb);
                    u.setLong(2, crc);
                    u.setLong(3, bomb.length);
                    u.setString(4, id);
                    assertThat(u.executeUpdate()).isEqualTo(1);
                }
                return null;
            });
        }
        var again = engine.resume(id, null).runId();
        var end = engine.awaitTerminal(again, Duration.ofSeconds(60)).orElseThrow();
        assertThat(end.status()).isEqualTo(RunStatus.FAILED);
        assertThat(end.error().message()).contains("refused java state: an array of 2147483632 elements");
    }

    @Test
    void onAThreadACraftedStateIsRefusedOnResume() throws Exception {
        aCraftedStateIsRefusedOnResume(Isolation.THREAD);
    }

    @Test
    @Tag("process")
    void inAChildJvmACraftedStateIsRefusedOnResume() throws Exception {
        aCraftedStateIsRefusedOnResume(Isolation.PROCESS);
    }

    /** Puts a class whose deserialisation runs code into its state: in the child, where it belongs. */
    public static final class CarriesGadget implements GraphDefinition {
        public String id() { return "carries-gadget"; }
        public String title() { return id(); }
        public String description() { return "a state the parent must not read"; }

        @Override
        public StateGraph<AgentState> build() throws GraphStateException {
            return new StateGraph<>(AgentState::new)
                    .addNode("a", node_async(s -> Map.of("gadget", new Gadget())))
                    .addNode("b", node_async(s -> Map.of("b", true)))
                    .addEdge(START, "a").addEdge("a", "b").addEdge("b", END);
        }
    }

    @Test
    @Tag("process")
    void theParentKeepsAChildsStateWithoutDeserialisingIt() throws Exception {
        var registry = new RunRegistry();
        var engine = engine(Isolation.PROCESS, GraphCatalog.of(new CarriesGadget()), registry);
        int before = Gadget.READ.get();
        var end = engine.awaitTerminal(engine.submit("carries-gadget", null, Map.of()).runId(), Duration.ofSeconds(60)).orElseThrow();
        assertThat(end.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(Gadget.READ.get()).as("times a child's state was deserialised in the parent").isEqualTo(before);
    }
}
