package dev.tether.catalog;

import dev.tether.api.GraphDefinition;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The graphs this process can run: every {@link GraphDefinition} on the class path plus those in
 * plugin jars. A broken plugin is reported in {@link #problems()}, never fatal: one bad jar must not
 * take the console down.
 */
public final class GraphCatalog {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GraphCatalog.class);

    private final Map<String, GraphDefinition> byId;
    private final List<String> problems;

    private GraphCatalog(Map<String, GraphDefinition> byId, List<String> problems) {
        this.byId = byId;
        this.problems = List.copyOf(problems);
    }

    /** Exactly these definitions (tests, embedding). */
    public static GraphCatalog of(GraphDefinition... definitions) {
        return of(List.of(definitions));
    }

    public static GraphCatalog of(Collection<? extends GraphDefinition> definitions) {
        var problems = new ArrayList<String>();
        var map = new LinkedHashMap<String, GraphDefinition>();
        for (var d : definitions) add(map, d, problems);
        return new GraphCatalog(map, problems);
    }

    /** Definitions on the class path and in {@code *.jar} files of {@code pluginsDir} (if it exists). */
    public static GraphCatalog load(Path pluginsDir) {
        var problems = new ArrayList<String>();
        var map = new LinkedHashMap<String, GraphDefinition>();
        var parent = GraphCatalog.class.getClassLoader();
        loadFrom(ServiceLoader.load(GraphDefinition.class, parent), map, problems);
        var jars = pluginJars(pluginsDir, problems);
        if (!jars.isEmpty()) {
            // One loader per jar: a jar's own services are listed once, and a bad jar spoils only itself.
            for (var jar : jars) {
                if (!isPluginJar(jar, problems)) continue;
                var loader = new URLClassLoader("tether-plugin:" + jar.getFileName(), new URL[]{toUrl(jar)}, parent);
                var services = ServiceLoader.load(GraphDefinition.class, loader).stream()
                        .filter(p -> p.type().getClassLoader() == loader);
                services.forEach(provider -> {
                    try {
                        add(map, provider.get(), problems);
                    } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                        problems.add("plugin " + jar.getFileName() + ": " + e.getMessage());
                    }
                });
            }
        }
        problems.forEach(p -> LOG.warn("graph catalog: {}", p));
        return new GraphCatalog(map, problems);
    }

    /** {@code TETHER_PLUGINS}, else {@code ~/.tether/plugins}. */
    public static Path defaultPluginsDir() {
        var env = System.getenv("TETHER_PLUGINS");
        if (env != null && !env.isBlank()) return Path.of(env);
        return TetherHome.dir().resolve("plugins");
    }

    private static void loadFrom(ServiceLoader<GraphDefinition> loader, Map<String, GraphDefinition> map,
                                 List<String> problems) {
        var it = loader.iterator();
        while (true) {
            try {
                if (!it.hasNext()) break;
                add(map, it.next(), problems);
            } catch (ServiceConfigurationError | LinkageError e) {
                problems.add(e.getMessage());
            }
        }
    }

    private static void add(Map<String, GraphDefinition> map, GraphDefinition d, List<String> problems) {
        var id = d.id();
        if (id == null || !id.matches("[a-z0-9][a-z0-9._-]*")) {
            problems.add("graph " + d.getClass().getName() + " has an invalid id '" + id + "'");
        } else if (map.containsKey(id)) {
            problems.add("graph id '" + id + "' is defined twice (" + map.get(id).getClass().getName() + " and "
                    + d.getClass().getName() + "); the first one is used");
        } else {
            map.put(id, d);
        }
    }

    private static List<Path> pluginJars(Path dir, List<String> problems) {
        if (dir == null || !Files.isDirectory(dir)) return List.of();
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            problems.add("cannot read plugins folder " + dir + ": " + e.getMessage());
            return List.of();
        }
    }

    private static boolean isPluginJar(Path jar, List<String> problems) {
        try (var file = new java.util.jar.JarFile(jar.toFile())) {
            if (file.getEntry("META-INF/services/" + GraphDefinition.class.getName()) == null) {
                problems.add("plugin " + jar.getFileName() + " lists no graph in META-INF/services/" + GraphDefinition.class.getName());
                return false;
            }
            return true;
        } catch (IOException e) {
            problems.add("plugin " + jar.getFileName() + " is not a readable jar (" + e.getMessage() + ")");
            return false;
        }
    }

    private static URL toUrl(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<GraphDefinition> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** @throws IllegalArgumentException naming the known graphs */
    public GraphDefinition require(String id) {
        var d = byId.get(id);
        if (d == null) {
            throw new IllegalArgumentException("unknown graph '" + id + "' (known: " + String.join(", ", byId.keySet()) + ")");
        }
        return d;
    }

    public List<GraphDefinition> all() {
        return List.copyOf(byId.values());
    }

    public List<String> problems() {
        return problems;
    }
}
