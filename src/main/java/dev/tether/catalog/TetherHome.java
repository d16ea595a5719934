package dev.tether.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Tether's per-user folder: {@code -Dtether.home}, {@code TETHER_HOME}, else {@code ~/.tether}. */
public final class TetherHome {
    private TetherHome() {}

    public static Path dir() {
        var prop = System.getProperty("tether.home");
        if (prop != null && !prop.isBlank()) return Path.of(prop);
        var env = System.getenv("TETHER_HOME");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".tether");
    }

    /**
     * Creates {@code dir} (and missing parents) readable by the user only ({@code 0700}): it holds
     * the control file's token. An existing folder is left as the user set it up.
     */
    public static void createPrivate(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        var parent = dir.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(dir);
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            // another process created it first
        }
    }
}
