package dev.tether.redis;

import dev.tether.testing.Hang;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher's class-data archive (README: short commands start faster) holds what the one-shot
 * commands load, the Redis ones included: the classes named here come from the archive, not from
 * their jars. How much faster that makes them is OneShotScaleBench's and CliListBench's to measure.
 */
@Tag("process")
class StartupArchiveIT {
    private static final List<String> CLI = List.of("dev.tether.cli.Main", "picocli.CommandLine", "picocli.CommandLine$Model$CommandSpec");
    private static final List<String> REDIS = List.of("dev.tether.redis.RedisView", "dev.tether.redis.RunStore", "dev.tether.redis.RunIndex",
            "redis.clients.jedis.RedisClient", "redis.clients.jedis.Connection", "org.apache.commons.pool2.impl.GenericObjectPool",
            "com.fasterxml.jackson.databind.ObjectMapper");

    @Test
    void theVersionComesFromArchivedClasses() throws Exception {
        var sources = launch(Map.of(), "--version").sources();
        assertThat(sources).as("where each class came from").containsKeys(CLI.toArray(String[]::new));
        CLI.forEach(c -> assertThat(sources.get(c)).as(c).isEqualTo("shared objects file"));
    }

    @Test
    void aRedisSubmitAndStatusComeFromArchivedClasses() throws Exception {
        try (var server = RealRedis.start()) {
            var env = Map.of("TETHER_REDIS_URL", server.uri());
            var submitted = launch(env, "submit", "welcome-email", "--queue", "nobody-serves");
            for (var c : concat(CLI, REDIS)) assertThat(submitted.sources().get(c)).as(c + " (submit)").isEqualTo("shared objects file");
            var status = launch(env, "status", submitted.out().strip().substring(0, 8)).sources();
            for (var c : concat(CLI, REDIS)) assertThat(status.get(c)).as(c + " (status)").isEqualTo("shared objects file");
        }
    }

    /**
     * A child JVM of process isolation maps the same archive: its flags are the ones the archive was
     * made with (a JVM started with other GC or object-header flags ignores the archive, silently,
     * under {@code -Xshare:auto}; under {@code -Xshare:on} it refuses to start).
     */
    @Test
    void aChildJvmOfProcessIsolationStartsFromTheSameArchive() throws Exception {
        var root = Path.of(System.getProperty("tether.launcher", "target/tether/bin/tether")).toAbsolutePath().getParent().getParent();
        var archive = root.resolve("tether.jsa");
        assertThat(archive).isRegularFile();
        String before = System.setProperty("tether.child.archive", archive.toString());
        List<String> child;
        try {
            child = dev.tether.engine.process.ChildLauncher.forCatalog(dev.tether.catalog.GraphCatalog.load(null), "local").command();
        } finally {
            if (before == null) System.clearProperty("tether.child.archive");
            else System.setProperty("tether.child.archive", before);
        }
        var cmd = new ArrayList<String>();
        for (var arg : child.subList(0, child.indexOf("-cp"))) cmd.add(arg.equals("-Xshare:auto") ? "-Xshare:on" : arg);
        assertThat(cmd).as("the child is given the archive").contains("-XX:SharedArchiveFile=" + archive, "-Xshare:on");
        cmd.addAll(List.of("-cp", root.resolve("lib") + "/*", "-version"));
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + said).isZero();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        var out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** @param sources class name → where it was loaded from */
    private record Launched(Map<String, String> sources, String out) {}

    /** Runs the launcher with class loading logged. */
    private static Launched launch(Map<String, String> env, String... args) throws Exception {
        var home = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it-home")), "archive");
        var log = home.resolve("classes.txt");
        var cmd = new ArrayList<>(List.of("sh", System.getProperty("tether.launcher", "target/tether/bin/tether")));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd).redirectOutput(home.resolve("out.txt").toFile()).redirectError(home.resolve("err.txt").toFile());
        pb.environment().put("TETHER_HOME", home.toString());
        pb.environment().put("TETHER_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("TETHER_OPTS", "-Xlog:class+load=info:file=" + log);
        pb.environment().remove(RedisSettings.ENV);
        pb.environment().putAll(env);
        var p = pb.start();
        if (!p.waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tether " + String.join(" ", args) + " did not end");
        }
        var out = new TreeMap<String, String>();
        for (var line : Files.readAllLines(log)) {
            int at = line.indexOf("] ", line.indexOf("class,load"));
            int source = line.indexOf(" source: ");
            if (at < 0 || source < 0) continue;
            out.put(line.substring(at + 2, source), line.substring(source + " source: ".length()));
        }
        var said = Files.readString(home.resolve("out.txt"));
        assertThat(out).as("classes logged by tether " + String.join(" ", args) + ": " + said + Files.readString(home.resolve("err.txt"))).isNotEmpty();
        return new Launched(out, said);
    }
}
