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
 * plugin jars. A broken plugin (a class missing or of the wrong type, no public no-argument
 * constructor, a describing method that throws or returns nonsense) is reported in
 * {@link #problems()} and skipped, never fatal: one bad jar must not take the console down.
 */
public final class GraphCatalog {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GraphCatalog.class);

    /** The name of every plugin jar's class loader starts with this. */
    public static final String PLUGIN_LOADER_PREFIX = "tether-plugin:";

    private final Map<String, GraphDefinition> byId;
    private final List<String> problems;

    private GraphCatalog(Map<String, GraphDefinition> byId, List<String> problems) {
        this.byId = byId;
        this.problems = List.copyOf(problems);
    }

    /** Exactly these definitions (tests, embedding); ones that do not describe themselves sanely are problems. */
    public static GraphCatalog of(GraphDefinition... definitions) {
        return of(List.of(definitions));
    }

    public static GraphCatalog of(Collection<? extends GraphDefinition> definitions) {
        var problems = new ArrayList<String>();
        var map = new LinkedHashMap<String, GraphDefinition>();
        for (var d : definitions) add(map, d, "graph " + d.getClass().getName(), problems);
        return new GraphCatalog(map, problems);
    }

    /**
     * Definitions on the class path and in {@code *.jar} files of {@code pluginsDir} (if it exists).
     *
     * @throws UnsafeFolderException when the plugins folder is not private: its jars run as this user
     */
    public static GraphCatalog load(Path pluginsDir) {
        if (pluginsDir != null && Files.isDirectory(pluginsDir)) TetherHome.requirePrivate(pluginsDir, "plugins folder");
        var problems = new ArrayList<String>();
        var map = new LinkedHashMap<String, GraphDefinition>();
        var parent = GraphCatalog.class.getClassLoader();
        loadFrom(ServiceLoader.load(GraphDefinition.class, parent), map, problems);
        // One loader per jar: a jar's own services are listed once, and a bad jar spoils only itself.
        for (var jar : pluginJars(pluginsDir, problems)) {
            var classNames = serviceNames(jar, problems);
            if (classNames.isEmpty()) continue;
            var loader = new URLClassLoader(PLUGIN_LOADER_PREFIX + jar.getFileName(), new URL[]{toUrl(jar)}, parent);
            for (var className : classNames) {
                var source = "plugin " + jar.getFileName() + " (" + className + ")";
                var definition = instantiate(loader, className, source, problems);
                if (definition != null) add(map, definition, source, problems);
            }
        }
        problems.forEach(p -> LOG.warn("graph catalog: {}", p));
        return new GraphCatalog(map, problems);
    }

    /**
     * What {@link ServiceLoader} would do for one provider, step by step, so that each way a plugin
     * can be broken is one problem with its reason rather than an error that ends the listing.
     */
    private static GraphDefinition instantiate(ClassLoader loader, String className, String source, List<String> problems) {
        Class<?> type;
        try {
            type = Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            problems.add(source + ": the class is not in the jar or cannot be loaded (" + Problems.describe(e) + ")");
            return null;
        }
        if (!GraphDefinition.class.isAssignableFrom(type)) {
            problems.add(source + ": the class does not implement " + GraphDefinition.class.getName());
            return null;
        }
        java.lang.reflect.Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
            if (!java.lang.reflect.Modifier.isPublic(type.getModifiers()) || java.lang.reflect.Modifier.isAbstract(type.getModifiers())) {
                throw new NoSuchMethodException();
            }
        } catch (NoSuchMethodException | SecurityException e) {
            problems.add(source + ": the class needs to be public, concrete and have a public constructor without parameters");
            return null;
        }
        try {
            return (GraphDefinition) constructor.newInstance();
        } catch (java.lang.reflect.InvocationTargetException e) {
            problems.add(source + ": its constructor threw " + Problems.describe(e.getCause()));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            problems.add(source + ": it could not be created (" + Problems.describe(e) + ")");
        }
        return null;
    }

    /** The class names listed in the jar's own services file (comments and blank lines skipped). */
    private static List<String> serviceNames(Path jar, List<String> problems) {
        var entryName = "META-INF/services/" + GraphDefinition.class.getName();
        try (var file = new java.util.jar.JarFile(jar.toFile())) {
            var entry = file.getEntry(entryName);
            if (entry == null) {
                problems.add("plugin " + jar.getFileName() + " lists no graph in " + entryName);
                return List.of();
            }
            var text = new String(file.getInputStream(entry).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            var names = new ArrayList<String>();
            for (var line : text.split("\\R")) {
                int hash = line.indexOf('#');
                var name = (hash < 0 ? line : line.substring(0, hash)).strip();
                if (name.isEmpty()) continue;
                if (!name.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*")) {
                    problems.add("plugin " + jar.getFileName() + ": '" + Problems.printable(name) + "' in " + entryName + " is not a class name");
                } else if (!names.contains(name)) {
                    names.add(name);
                }
            }
            return names;
        } catch (IOException | RuntimeException e) {
            problems.add("plugin " + jar.getFileName() + " is not a readable jar (" + Problems.describe(e) + ")");
            return List.of();
        }
    }

    /** The class that really implements {@code definition}, behind any wrappers (what a child JVM loads by name). */
    public static Class<?> implementationOf(GraphDefinition definition) {
        var d = definition;
        while (d instanceof WrappedGraph w) d = w.wrapped();
        return d.getClass();
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
                var d = it.next();
                add(map, d, "graph " + d.getClass().getName(), problems);
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                problems.add("class path: " + Problems.describe(e));
            }
        }
    }

    private static void add(Map<String, GraphDefinition> map, GraphDefinition d, String source, List<String> problems) {
        CheckedGraph checked;
        try {
            checked = CheckedGraph.check(d);
        } catch (IllegalArgumentException e) {
            problems.add(source + ": " + e.getMessage() + "; skipped");
            return;
        }
        var id = checked.id();
        if (map.containsKey(id)) {
            problems.add("graph id '" + id + "' is defined twice (" + className(map.get(id)) + " and "
                    + checked.pluginClass().getName() + "); the first one is used");
        } else {
            map.put(id, checked);
        }
    }

    private static String className(GraphDefinition d) {
        return d instanceof CheckedGraph c ? c.pluginClass().getName() : d.getClass().getName();
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
