package dev.tether.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** A plugin jar made of test graph classes (already compiled), for real `tether` processes to load. */
public final class PluginJar {
    private PluginJar() {}

    /** Writes {@code jar} with {@code graphs} and their services entry; nested classes of each come along. */
    public static Path write(Path jar, Class<?>... graphs) throws IOException {
        Files.createDirectories(jar.getParent());
        try (var out = new JarOutputStream(Files.newOutputStream(jar))) {
            var services = new StringBuilder();
            for (var graph : graphs) {
                services.append(graph.getName()).append('\n');
                var file = Path.of(graph.getProtectionDomain().getCodeSource().getLocation().getPath())
                        .resolve(graph.getName().replace('.', '/') + ".class");
                var dir = file.getParent();
                var prefix = graph.getSimpleName();
                try (var siblings = Files.list(dir)) {
                    for (var f : siblings.filter(p -> p.getFileName().toString().equals(prefix + ".class")
                            || p.getFileName().toString().startsWith(prefix + "$")).toList()) {
                        var name = graph.getPackageName().replace('.', '/') + "/" + f.getFileName();
                        out.putNextEntry(new JarEntry(name));
                        out.write(Files.readAllBytes(f));
                        out.closeEntry();
                    }
                }
            }
            out.putNextEntry(new JarEntry("META-INF/services/dev.tether.api.GraphDefinition"));
            out.write(services.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }
}
