package dev.tether.redis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the launcher's class-data archive (pom.xml, {@code startup-archive}; not a test). A training
 * run of the command-line paths lists every class they load, the Redis ones against a scratch
 * redis-server from the tests' Maven artifact (packaging needs no Redis installed; where that server
 * cannot start, the archive leaves the Redis paths out). A static dump then archives the list with
 * the launcher's JDK, flags and class path.
 *
 * <p>The list loses two kinds of line first: constant-pool resolutions ({@code @cp}) and lambdas that
 * implement picocli's interfaces. Resolving them links the classes involved at dump time, and a linked
 * class compiled for Java 5 (all of picocli's) is left out of the archive; unlinked, it is archived.
 *
 * <p>Arguments: the lib folder, the archive to write.
 */
public final class StartupArchiveBuilder {
    /** The launcher's JVM flags (src/main/dist/bin/tether): an archive is used only with the flags it was dumped with. */
    static final List<String> LAUNCHER_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:+UseCompactObjectHeaders", "-Xms32m", "--enable-native-access=ALL-UNNAMED");

    private StartupArchiveBuilder() {}

    public static void main(String[] args) throws Exception {
        var lib = Path.of(args[0]).toAbsolutePath();
        var archive = Path.of(args[1]).toAbsolutePath();
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var classPath = lib + "/*";
        var listed = archive.resolveSibling(archive.getFileName() + ".classes");
        var kept = archive.resolveSibling(archive.getFileName() + ".classes-kept");

        var training = new ArrayList<>(List.of(java, "-XX:DumpLoadedClassList=" + listed));
        training.addAll(LAUNCHER_FLAGS);
        training.addAll(List.of("-DTETHER_LOG_LEVEL=OFF", "-cp", classPath, "dev.tether.cli.Main", "train-startup"));
        RealRedis server = null;
        try {
            server = RealRedis.start();
            training.addAll(List.of("--train-redis", server.uri()));
        } catch (Exception | LinkageError e) {
            System.err.println("startup archive: no scratch Redis (" + e + "); the archive leaves the Redis paths out");
        }
        try {
            run(training);
        } finally {
            if (server != null) server.close();
        }

        try (var lines = Files.lines(listed)) {
            Files.write(kept, lines.filter(l -> !l.startsWith("@cp ") && !(l.startsWith("@lambda-proxy ") && l.contains("picocli/"))).toList());
        }
        var dump = new ArrayList<>(List.of(java, "-Xshare:dump", "-XX:SharedClassListFile=" + kept, "-XX:SharedArchiveFile=" + archive,
                "-Xlog:cds=off", "-Xlog:aot=off"));
        dump.addAll(LAUNCHER_FLAGS);
        dump.addAll(List.of("-cp", classPath));
        run(dump);
        Files.delete(listed);
        Files.delete(kept);
    }

    private static void run(List<String> command) throws Exception {
        int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (exit != 0) throw new IllegalStateException("exit " + exit + ": " + String.join(" ", command));
    }
}
