package dev.tether.catalog;

import java.nio.file.Path;

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
}
