package dev.tether.console;

import dev.tether.testing.Hang;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real GTK toolkit, started as the console starts it, never moves the process environment's
 * array: another thread's {@code getenv} (the engine's host-name lookup, built beside the toolkit)
 * must never walk an array that {@code setenv} has just freed. Whether glibc's {@code realloc} moves
 * the array depends on how many variables the process has: with one more or one fewer a bare start
 * died with SIGSEGV in getenv every time (2026-12-07: 20 of 20 launches; 0 of 20 with the other
 * count), so each case runs with both counts.
 */
@Tag("process")
class ToolkitEnvironmentTest {

    @ParameterizedTest(name = "one more variable: {0}")
    @ValueSource(booleans = {false, true})
    void aThreadReadingTheEnvironmentThroughoutTheToolkitsStartSurvivesIt(boolean padded) throws Exception {
        var addresses = probe("settled", "read", padded);
        assertThat(addresses[0]).as("the environment's array was found").isNotZero();
        assertThat(addresses[1]).as("where it is after the toolkit's first frame").isEqualTo(addresses[0]);
        assertThat(addresses[2]).as("getenv calls while the toolkit started").isPositive();
    }

    /** What the settling guards against: started bare, JavaFX 25's GTK toolkit adds variables, and the array moves. */
    @Test
    void startedBareTheToolkitMovesTheArrayAsItAddsItsVariables() throws Exception {
        var addresses = probe("unsettled", "quiet", false);
        assertThat(addresses[1]).isNotEqualTo(addresses[0]);
    }

    private static long[] probe(String mode, String reading, boolean padded) throws Exception {
        assertThat(Path.of("/usr/bin/xvfb-run")).as("a display for the real toolkit (apt-get install xvfb xauth libgtk-3-0)").isExecutable();
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var pb = new ProcessBuilder(List.of("xvfb-run", "-a", java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ToolkitEnvironmentProbe.class.getName(), mode, reading));
        for (var name : ToolkitEnvironment.ADDED_BY_THE_TOOLKIT.keySet()) pb.environment().remove(name);
        pb.environment().put("DESKTOP_STARTUP_ID", "probe_TIME0"); // what a menu launch passes: GDK removes it
        if (padded) pb.environment().put("TETHER_PROBE_PADDING", "1");
        else pb.environment().remove("TETHER_PROBE_PADDING");
        var dir = Files.createTempDirectory("toolkit-env"); // where a crashed JVM writes its hs_err file
        var out = dir.resolve("probe.log");
        try {
            var p = pb.directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            boolean ended = p.waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS);
            if (!ended) p.destroyForcibly().waitFor();
            var text = Files.readString(out);
            assertThat(ended).as(text).isTrue();
            assertThat(p.exitValue()).as(text).isZero();
            var m = Pattern.compile("environ before=(\\p{XDigit}+) after=(\\p{XDigit}+) reads=(\\d+)").matcher(text);
            assertThat(m.find()).as(text).isTrue();
            return new long[] {Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16), Long.parseLong(m.group(3))};
        } finally {
            try (var files = Files.list(dir)) {
                for (var f : files.toList()) Files.delete(f);
            }
            Files.delete(dir);
        }
    }
}
