package dev.tether.engine.process;

import dev.tether.catalog.GraphCatalog;
import dev.tether.catalog.TetherHome;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a child JVM is started: the parent's own java binary and class path, a small quick-starting
 * JVM (serial GC, C1 only), a class-data archive when one is installed beside the jars, and the
 * graphs to load: the plugin folders the parent's graphs came from plus the class of every graph the
 * parent knows, so that a graph handed to the engine directly (tests, embedding) exists in the child
 * too. Native access is enabled: the child makes itself a subreaper and a session leader (FFM).
 */
public record ChildLauncher(List<String> command) {
    /** The archive the launcher's build trains; used only when present (a different JDK ignores it). */
    static final String ARCHIVE_PROPERTY = "tether.child.archive";

    public ChildLauncher {
        command = List.copyOf(command);
    }

    public static ChildLauncher forCatalog(GraphCatalog catalog, String workerName) {
        var cmd = new ArrayList<String>();
        cmd.add(javaBinary());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:+UseCompactObjectHeaders"); // as the launcher: the archive is used only with the flags it was made with
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xss1m");
        // An OutOfMemoryError leaves a JVM in an unknown state: end it; the parent reports the run FAILED and replaces it.
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        archive().ifPresent(a -> {
            cmd.add("-XX:SharedArchiveFile=" + a);
            cmd.add("-Xlog:cds=off");
            cmd.add("-Xlog:aot=off");
        });
        cmd.add("-Xshare:auto");
        cmd.add("-Dtether.home=" + TetherHome.dir());
        var extra = System.getProperty("tether.child.jvmArgs");
        if (extra != null && !extra.isBlank()) cmd.addAll(List.of(extra.trim().split("\\s+")));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ChildMain.class.getName());
        cmd.add(Long.toString(ProcessHandle.current().pid()));
        cmd.add(workerName);
        cmd.add(String.join(java.io.File.pathSeparator, pluginFolders(catalog)));
        catalog.all().stream().map(d -> GraphCatalog.implementationOf(d).getName()).distinct().forEach(cmd::add);
        return new ChildLauncher(cmd);
    }

    /** The folders of the plugin jars the catalog's graphs were loaded from. */
    static List<String> pluginFolders(GraphCatalog catalog) {
        var folders = new java.util.LinkedHashSet<String>();
        for (var d : catalog.all()) {
            var type = GraphCatalog.implementationOf(d);
            if (!(type.getClassLoader() instanceof java.net.URLClassLoader loader) || loader.getName() == null
                    || !loader.getName().startsWith(GraphCatalog.PLUGIN_LOADER_PREFIX)) continue;
            try {
                var jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
                if (jar.getParent() != null) folders.add(jar.getParent().toString());
            } catch (Exception e) {
                // not from a file: the child cannot load it by folder either
            }
        }
        return List.copyOf(folders);
    }

    private static String javaBinary() {
        var home = Path.of(System.getProperty("java.home"), "bin", "java");
        return Files.isExecutable(home) ? home.toString()
                : ProcessHandle.current().info().command().orElse("java");
    }

    private static java.util.Optional<String> archive() {
        var configured = System.getProperty(ARCHIVE_PROPERTY);
        if (configured != null && Files.isRegularFile(Path.of(configured))) return java.util.Optional.of(configured);
        return java.util.Optional.empty();
    }
}
