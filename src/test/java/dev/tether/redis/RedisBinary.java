package dev.tether.redis;

import redis.embedded.core.ExecutableProvider;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The redis-server the tests run: the 6.2 binary of the embedded-redis artifact, unpacked once by the
 * build (pom.xml, {@code redis-binary}) into {@value #UNPACKED}, and for each server a folder of its own.
 *
 * <p>Why not embedded-redis' own provider: it writes the binary out again for every start, and a
 * write racing the processes the JVM forks meanwhile (which inherit the open file) made a later exec
 * fail with "Text file busy"; it also left a copy in /tmp per start. A server runs in the folder its
 * binary sits in, so each gets a link to the one binary in a folder of its own: no shared dump or
 * cluster files.
 */
public final class RedisBinary {
    static final String UNPACKED = "target/redis-bin/redis-server-6.2.6-v5-linux-amd64";
    private static final Path SERVERS = Path.of("target", "redis-servers").toAbsolutePath();

    private RedisBinary() {
    }

    /** The unpacked binary, executable; only the build writes it. */
    public static Path embedded() {
        var binary = Path.of(UNPACKED).toAbsolutePath();
        if (!Files.isRegularFile(binary))
            throw new IllegalStateException(binary + " is missing: the build unpacks it (mvn process-test-resources)");
        if (!Files.isExecutable(binary) && !binary.toFile().setExecutable(true))
            throw new IllegalStateException("cannot make " + binary + " executable");
        return binary;
    }

    /** A new folder for one start of a server (named by its port): its working directory, where its binary is linked. */
    static Path newFolder(int port) throws java.io.IOException {
        return Files.createTempDirectory(Files.createDirectories(SERVERS), "port-" + port + "-");
    }

    /** A provider of this binary (or the embedded one, if null) that runs the server in {@code folder}. */
    static ExecutableProvider linkedIn(Path folder, String binary) {
        var target = binary == null ? embedded() : Path.of(binary).toAbsolutePath();
        return () -> {
            var link = folder.resolve("redis-server");
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, target);
            return link.toFile();
        };
    }
}
