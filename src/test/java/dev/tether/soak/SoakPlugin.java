package dev.tether.soak;

import dev.tether.api.GraphDefinition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * The plugin jar that carries {@link SoakGraph} into the processes the soak starts through the real
 * launcher ({@code serve}, workers, and through them child JVMs): they see it as any user's plugin
 * in the folder named by {@code TETHER_PLUGINS}.
 */
final class SoakPlugin {
    private SoakPlugin() {}

    /** Writes the jar (once per JVM) and returns the plugins folder holding it. */
    static synchronized Path folder() {
        var dir = Path.of("target", "soak", "plugins").toAbsolutePath();
        var jar = dir.resolve("soak-graph.jar");
        if (Files.exists(jar)) return dir;
        try {
            Files.createDirectories(dir);
            var classes = Path.of(SoakGraph.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            var tmp = Files.createTempFile(dir, "soak-graph", ".tmp");
            try (var out = new JarOutputStream(Files.newOutputStream(tmp))) {
                out.putNextEntry(new JarEntry("META-INF/services/" + GraphDefinition.class.getName()));
                out.write((SoakGraph.class.getName() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                var pkg = SoakGraph.class.getPackageName().replace('.', '/');
                try (var files = Files.list(classes.resolve(pkg))) {
                    for (var f : files.filter(f -> f.getFileName().toString().startsWith(SoakGraph.class.getSimpleName())).toList()) {
                        out.putNextEntry(new JarEntry(pkg + "/" + f.getFileName()));
                        out.write(Files.readAllBytes(f));
                    }
                }
            }
            Files.move(tmp, jar, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
