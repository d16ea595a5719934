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

    /** A plugin graph's source, with {@code body} replacing its describing methods' defaults. */
    private static String graphSource(String className, String id, String members) {
        return """
                package demo;
                import org.bsc.langgraph4j.StateGraph;
                import org.bsc.langgraph4j.state.AgentState;
                import static org.bsc.langgraph4j.action.AsyncNodeAction.node_async;
                public class %s implements dev.tether.api.GraphDefinition {
                    %s
                    public String id() { return "%s"; }
                    public StateGraph<AgentState> build() throws org.bsc.langgraph4j.GraphStateException {
                        return new StateGraph<>(AgentState::new)
                            .addNode("a", node_async(s -> java.util.Map.of()))
                            .addEdge(StateGraph.START, "a").addEdge("a", StateGraph.END);
                    }
                }
                """.formatted(className, members, id);
    }

    private static final String DESCRIBED = """
            public String title() { return "T"; }
            public String description() { return "D"; }
            """;

    @Test
    void eachBrokenPluginIsAProblemAndSkippedAndEveryOtherGraphLoads(@TempDir Path dir) throws Exception {
        var plugins = Files.createDirectories(dir.resolve("plugins"));
        buildPlugin(dir, plugins.resolve("weather.jar"));
        jar(dir, plugins.resolve("missing-class.jar"), java.util.Map.of(), "demo.NotThere\n");
        jar(dir, plugins.resolve("wrong-type.jar"), java.util.Map.of("demo.Plain", "package demo; public class Plain {}"), "demo.Plain\n");
        jar(dir, plugins.resolve("no-default-constructor.jar"), java.util.Map.of("demo.NeedsArg",
                graphSource("NeedsArg", "needs-arg", DESCRIBED + "public NeedsArg(String x) {}")), "demo.NeedsArg\n");
        jar(dir, plugins.resolve("constructor-throws.jar"), java.util.Map.of("demo.Explodes",
                graphSource("Explodes", "explodes", DESCRIBED + "public Explodes() { throw new IllegalStateException(\"no\"); }")), "demo.Explodes\n");
        jar(dir, plugins.resolve("not-a-class-name.jar"), java.util.Map.of(), "demo.Not A Class\n");
        for (var method : new String[] {"title", "description", "defaultQueue", "defaultInput"}) {
            var members = new StringBuilder();
            for (var m : new String[] {"title", "description", "defaultQueue"}) {
                members.append("public String ").append(m).append("() { ")
                        .append(m.equals(method) ? "throw new IllegalStateException(\"" + m + " broke\");" : "return \"x\";").append(" }\n");
            }
            members.append("public java.util.Map<String, Object> defaultInput() { ")
                    .append(method.equals("defaultInput") ? "throw new IllegalStateException(\"defaultInput broke\");" : "return java.util.Map.of();")
                    .append(" }\n");
            var cls = "Throws" + Character.toUpperCase(method.charAt(0)) + method.substring(1);
            jar(dir, plugins.resolve(method + "-throws.jar"), java.util.Map.of("demo." + cls,
                    graphSource(cls, "throws-" + method.toLowerCase(), members.toString())), "demo." + cls + "\n");
        }
        // two providers in one jar: the broken one does not take the good one down
        jar(dir, plugins.resolve("mixed.jar"), java.util.Map.of("demo.Good", graphSource("Good", "good-one", DESCRIBED)),
                "# a comment\ndemo.Missing\n\ndemo.Good\n");

        var catalog = GraphCatalog.load(plugins);

        assertThat(catalog.all()).extracting(d -> d.id())
                .containsExactly("book-workflow", "welcome-email", "cpu-crunch", "stubborn", "good-one", "weather-report");
        assertThat(catalog.problems()).allSatisfy(p -> assertThat(p).doesNotContain("\n"))
                .anySatisfy(p -> assertThat(p).startsWith("plugin missing-class.jar (demo.NotThere): the class is not in the jar"))
                .anySatisfy(p -> assertThat(p).startsWith("plugin wrong-type.jar (demo.Plain): the class does not implement dev.tether.api.GraphDefinition"))
                .anySatisfy(p -> assertThat(p).startsWith("plugin no-default-constructor.jar (demo.NeedsArg): the class needs to be public"))
                .anySatisfy(p -> assertThat(p).startsWith("plugin constructor-throws.jar (demo.Explodes): its constructor threw IllegalStateException: no"))
                .anySatisfy(p -> assertThat(p).contains("not-a-class-name.jar").contains("is not a class name"))
                .anySatisfy(p -> assertThat(p).contains("title() threw IllegalStateException: title broke"))
                .anySatisfy(p -> assertThat(p).contains("description() threw"))
                .anySatisfy(p -> assertThat(p).contains("defaultQueue() threw"))
                .anySatisfy(p -> assertThat(p).contains("defaultInput() threw"))
                .anySatisfy(p -> assertThat(p).startsWith("plugin mixed.jar (demo.Missing)"));
        assertThat(catalog.problems()).hasSize(10);
    }

    /** Compiles {@code sources} (class name to source) and packs them with {@code services} as the services file. */
    static void jar(Path work, Path jar, java.util.Map<String, String> sources, String services) throws IOException {
        var src = Files.createDirectories(work.resolve("src-" + jar.getFileName()));
        var classes = Files.createDirectories(work.resolve("classes-" + jar.getFileName()));
        var files = new java.util.ArrayList<String>(java.util.List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path")));
        for (var e : sources.entrySet()) {
            var file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            files.add(file.toString());
        }
        if (!sources.isEmpty()) assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, files.toArray(String[]::new))).isZero();
        try (var out = new JarOutputStream(Files.newOutputStream(jar)); var walk = Files.walk(classes)) {
            for (var c : walk.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(c).toString()));
                out.write(Files.readAllBytes(c));
            }
            out.putNextEntry(new JarEntry("META-INF/services/dev.tether.api.GraphDefinition"));
            out.write(services.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** Compiles a GraphDefinition from source and packs it with its service file, like a real plugin. */
    static void buildPlugin(Path work, Path jar) throws IOException {
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
