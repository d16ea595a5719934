package dev.tether.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The console's real window under Xvfb, started by the real launcher: its first paint timed from
 * outside the process, and the one line it prints where GTK 3 cannot be loaded.
 */
@Tag("process")
class ConsoleDisplayIT {

    private static boolean onPath(String tool) {
        return Files.isExecutable(Path.of("/usr/bin", tool)) || Files.isExecutable(Path.of("/usr/local/bin", tool));
    }

    private static String launcher() {
        return "sh " + Path.of(System.getProperty("tether.launcher", "target/tether/bin/tether")).toAbsolutePath() + " console";
    }

    @Test
    void firstPaintIsTimedFromOutsideTheProcess() throws Exception {
        assumeTrue(onPath("xvfb-run"), "needs xvfb-run (apt-get install xvfb xauth libgtk-3-0)");
        var tether = Launcher.inFreshHome("paint");
        var pb = new ProcessBuilder("xvfb-run", "-a", "sh", "src/main/installer/first-paint.sh", "-l", launcher(), "2");
        pb.environment().put("TETHER_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("TETHER_HOME", tether.home.toString());
        pb.redirectErrorStream(true);
        var p = pb.start();
        var out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(dev.tether.testing.Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)).isTrue();
        assumeTrue(!out.contains("GTK 3 library is missing"), "GTK 3 is not installed here");
        assertThat(p.exitValue()).as(out).isZero();
        var m = Pattern.compile("launch \\d: first-paint-ms=(\\d+) exit-ms=(\\d+)").matcher(out);
        int launches = 0;
        while (m.find()) {
            launches++;
            long paint = Long.parseLong(m.group(1)), exit = Long.parseLong(m.group(2));
            assertThat(paint).as(out).isBetween(50L, 60_000L);
            assertThat(exit).as("the process exits after its first paint").isGreaterThanOrEqualTo(paint);
        }
        assertThat(launches).as(out).isEqualTo(2);
    }

    /**
     * Over Redis the console shows its window first, then loads the runs (RedisView.liveLoading): the
     * load must still begin, and the console's control API then lists every run.
     */
    @Test
    void overRedisTheConsoleLoadsEveryRunOnceItsWindowIsShownAndItsApiListsThem() throws Exception {
        assumeTrue(onPath("xvfb-run"), "needs xvfb-run (apt-get install xvfb xauth libgtk-3-0)");
        try (var redis = dev.tether.redis.RealRedis.start()) {
            var tether = Launcher.inFreshHome("redis-console");
            for (int i = 0; i < 3; i++) { // parked on a queue no worker takes
                var submit = tether.command("submit", "welcome-email", "--queue", "parked");
                submit.environment().put("TETHER_REDIS_URL", redis.uri());
                var p = submit.redirectErrorStream(true).start();
                var out = new String(p.getInputStream().readAllBytes());
                assertThat(p.waitFor(dev.tether.testing.Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(out).isZero();
            }
            var pb = new ProcessBuilder("xvfb-run", "-a", "sh", "-c", launcher());
            pb.environment().putAll(tether.command().environment());
            pb.environment().put("TETHER_REDIS_URL", redis.uri());
            pb.environment().keySet().removeAll(List.of("GDK_BACKEND", "IBUS_ENABLE_SYNC_MODE"));
            pb.redirectErrorStream(true).redirectOutput(tether.home.resolve("console.log").toFile());
            var console = pb.start();
            boolean ended;
            try {
                // the control API starts after the first frame, and the load with it
                await().atMost(dev.tether.testing.Hang.ACROSS_PROCESSES).until(() -> {
                    assertThat(console.isAlive()).as(Files.readString(tether.home.resolve("console.log"))).isTrue();
                    var list = tether.run("list", "--json");
                    return list.exit() == 0 && list.json().size() == 3;
                });
                for (var run : tether.run("list", "--json").json()) assertThat(run.path("status").asText()).isEqualTo("QUEUED");
                // the launcher defined what the toolkit adds to the environment before the JVM started
                // (ToolkitEnvironment): /proc shows the environment a process was started with
                long pid = dev.tether.control.ControlFile.read(tether.controlFile()).pid();
                var started = List.of(Files.readString(Path.of("/proc", Long.toString(pid), "environ")).split("\0"));
                assertThat(started).contains("GDK_BACKEND=x11", "IBUS_ENABLE_SYNC_MODE=1");
            } finally {
                if (Files.exists(tether.controlFile())) {
                    ProcessHandle.of(dev.tether.control.ControlFile.read(tether.controlFile()).pid()).ifPresent(ProcessHandle::destroy);
                }
                ended = console.waitFor(dev.tether.testing.Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS);
                if (!ended) console.destroyForcibly().waitFor();
            }
            assertThat(ended).as("it ends on SIGTERM: " + Files.readString(tether.home.resolve("console.log"))).isTrue();
        }
    }

    @Test
    void withoutGtkTheConsoleSaysWhichPackageToInstall() throws Exception {
        withoutGtk(launcher());
    }

    @Test
    void withoutGtkTheMenuEntrysLaunchWithNoArgumentsSaysTheSame() throws Exception {
        // no arguments: the console starts without parsing a command line (Main.console)
        withoutGtk("sh " + Path.of(System.getProperty("tether.launcher", "target/tether/bin/tether")).toAbsolutePath());
    }

    private void withoutGtk(String command) throws Exception {
        assumeTrue(onPath("xvfb-run"), "needs xvfb-run");
        var tether = Launcher.inFreshHome("nogtk");
        // a library path whose libgtk-3.so.0 is not a library: what a machine without GTK 3 looks like to JavaFX
        var fake = Files.createDirectories(tether.home.resolve("no-gtk"));
        Files.write(fake.resolve("libgtk-3.so.0"), new byte[0]);
        var pb = new ProcessBuilder("xvfb-run", "-a", "sh", "-c", command);
        pb.environment().put("TETHER_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("TETHER_HOME", tether.home.toString());
        pb.environment().put("TETHER_LOG_LEVEL", "WARN");
        pb.environment().put("LD_LIBRARY_PATH", fake.toString());
        var p = pb.start();
        var out = new String(p.getInputStream().readAllBytes());
        var err = new String(p.getErrorStream().readAllBytes()).strip();
        assertThat(p.waitFor(dev.tether.testing.Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out + err).isEqualTo(ExitCodes.FAILED);
        var last = err.lines().reduce((a, b) -> b).orElse("");
        assertThat(last).isEqualTo("tether: cannot open the console: the GTK 3 library is missing; install it (Debian/Ubuntu: "
                + "`sudo apt-get install libgtk-3-0`, Fedora: `sudo dnf install gtk3`) or use `tether serve` for a headless instance");
        assertThat(err).doesNotContain("\tat ");
    }
}
