package dev.tether.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Graphs come from the class path and from plugin jars; a bad jar is reported, not fatal. */
class GraphCatalogTest {

    @Test
    void builtInGraphsAreOnTheClassPath() {
        var catalog = GraphCatalog.load(null);
        assertThat(catalog.all()).extracting(d -> d.id())
                .containsExactly("book-workflow", "welcome-email", "cpu-crunch", "stubborn");
        assertThat(catalog.require("book-workflow").defaultQueue()).isEqualTo("ai_processing");
        assertThat(catalog.require("welcome-email").defaultQueue()).isEqualTo("email");
    }

    @Test
    void aPluginJarAddsItsGraphsAndABrokenOneIsReported(@TempDir Path dir) throws Exception {
        var plugins = Files.createDirectories(dir.resolve("plugins"));
        buildPlugin(dir, plugins.resolve("weather.jar"));
        Files.writeString(plugins.resolve("broken.jar"), "not a jar at all");

        var catalog = GraphCatalog.load(plugins);

        assertThat(catalog.find("weather-report")).isPresent();
        assertThat(catalog.require("weather-report").defaultQueue()).isEqualTo("plugins");
        assertThat(catalog.find("book-workflow")).isPresent();
        assertThat(catalog.problems()).anySatisfy(p -> assertThat(p).contains("broken.jar"));
    }

    /** Compiles a GraphDefinition from source and packs it with its service file, like a real plugin. */
    private static void buildPlugin(Path work, Path jar) throws IOException {
        var src = Files.createDirectories(work.resolve("src/demo"));
        Files.writeString(src.resolve("WeatherGraph.java"), """
                package demo;
                import org.bsc.langgraph4j.StateGraph;
                import org.bsc.langgraph4j.state.AgentState;
                import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;
                public class WeatherGraph implements dev.tether.api.GraphDefinition {
                    public String id() { return "weather-report"; }
                    public String title() { return "Weather"; }
                    public String description() { return "plugin graph"; }
                    public String defaultQueue() { return "plugins"; }
                    public StateGraph<AgentState> build() throws org.bsc.langgraph4j.GraphStateException {
                        return new StateGraph<>(AgentState::new)
                            .addNode("fetch", node_async(s -> java.util.Map.of()))
                            .addEdge(StateGraph.START, "fetch").addEdge("fetch", StateGraph.END);
                    }
                }
                """);
        var classes = Files.createDirectories(work.resolve("classes"));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null,
                "-d", classes.toString(), "-cp", System.getProperty("java.class.path"), src.resolve("WeatherGraph.java").toString());
        assertThat(rc).isZero();
        try (var out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("demo/WeatherGraph.class"));
            out.write(Files.readAllBytes(classes.resolve("demo/WeatherGraph.class")));
            out.putNextEntry(new JarEntry("META-INF/services/dev.tether.api.GraphDefinition"));
            out.write("demo.WeatherGraph\n".getBytes());
        }
    }
}
