package dev.tether.testing;

import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Real plugin jars, compiled from source in a test and packed with their services file. */
public final class PluginJars {
    private PluginJars() {}

    /**
     * Compiles {@code sources} (class name to source) against the test class path and packs them into
     * {@code jar} with {@code graphs} (class names) as its GraphDefinition services.
     */
    public static Path build(Path work, Path jar, Map<String, String> sources, String... graphs) throws IOException {
        var src = Files.createDirectories(work.resolve("src-" + jar.getFileName()));
        var classes = Files.createDirectories(work.resolve("classes-" + jar.getFileName()));
        var args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path")));
        for (var e : sources.entrySet()) {
            var file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        if (ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("the plugin's sources do not compile");
        }
        Files.createDirectories(jar.getParent());
        try (var out = new JarOutputStream(Files.newOutputStream(jar)); var walk = Files.walk(classes)) {
            for (var c : walk.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(c).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(c));
            }
            out.putNextEntry(new JarEntry("META-INF/services/dev.tether.api.GraphDefinition"));
            out.write((String.join("\n", graphs) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }
}
