package dev.tether.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console holds a view of every run for hours, so the launchers start it with a heap kept near
 * what it holds (BENCHMARKS.md, "The console's footprint"); the workers and one-shot commands keep
 * the throughput-minded defaults. Read from what the real launcher passes to a Java that prints its
 * arguments.
 */
@Tag("process")
class LauncherJvmFlagsIT {
    private static final List<String> CONSOLE_FLAGS = List.of("-XX:MaxNewSize=24m", "-XX:MinHeapFreeRatio=15",
            "-XX:MaxHeapFreeRatio=30", "-XX:TrimNativeHeapInterval=10000");

    @TempDir
    Path jdk;

    private List<String> jvmFlagsFor(String... args) throws Exception {
        Files.createDirectories(jdk.resolve("bin"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
        var java = jdk.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        var cmd = new ArrayList<>(List.of("sh", Path.of(System.getProperty("tether.launcher", "target/tether/bin/tether")).toString()));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TETHER_JAVA", java.toString());
        pb.environment().remove("TETHER_OPTS");
        var p = pb.start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        var lines = out.lines().toList();
        int main = lines.indexOf("dev.tether.cli.Main");
        assertThat(main).as(out).isPositive();
        assertThat(lines.subList(main + 1, lines.size())).as("the command's own arguments, untouched").containsExactly(args);
        return lines.subList(0, main);
    }

    @Test
    void theConsoleStartsWithItsFootprintFlagsWhetherNamedOrOpenedWithNoArguments() throws Exception {
        assertThat(jvmFlagsFor()).containsAll(CONSOLE_FLAGS);
        assertThat(jvmFlagsFor("console")).containsAll(CONSOLE_FLAGS);
        assertThat(jvmFlagsFor("console", "--redis", "redis://localhost:6379")).containsAll(CONSOLE_FLAGS);
    }

    @Test
    void workersServeAndOneShotCommandsStartWithout() throws Exception {
        for (var command : List.of(List.of("worker"), List.of("serve"), List.of("list", "--json"), List.of("submit", "console"),
                List.of("--version"))) {
            var flags = jvmFlagsFor(command.toArray(String[]::new));
            assertThat(flags).as(String.join(" ", command)).contains("-XX:+UseSerialGC").doesNotContainAnyElementsOf(CONSOLE_FLAGS);
        }
    }

    @Test
    void theInstalledConsoleStartsWithTheSameFlags() throws Exception {
        var options = Files.readAllLines(Path.of("jpackage.cfg")).stream().filter(l -> l.startsWith("--java-options ")).toList();
        assertThat(options).hasSize(1);
        var given = List.of(options.getFirst().replaceAll("^--java-options \"|\"$", "").split(" "));
        assertThat(given).containsAll(CONSOLE_FLAGS);
        // and everything else the shell launcher gives every command
        assertThat(given).containsAll(jvmFlagsFor("worker").stream().filter(f -> f.startsWith("-XX:+Use") || f.startsWith("-Xms")).toList());
    }
}
