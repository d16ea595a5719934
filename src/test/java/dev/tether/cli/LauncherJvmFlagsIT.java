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
import java.util.Map;
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

    private static final List<String> TOOLKIT_VARIABLES = List.of("GDK_BACKEND", "IBUS_ENABLE_SYNC_MODE");

    @TempDir
    Path jdk;

    private List<String> jvmFlagsFor(String... args) throws Exception {
        var lines = launch(Map.of(), args);
        return lines.subList(0, lines.indexOf("dev.tether.cli.Main"));
    }

    /** The two variables JavaFX's GTK toolkit sets, as the Java the launcher starts finds them ("-": not set). */
    private List<String> toolkitVariablesFor(Map<String, String> env, String... args) throws Exception {
        var lines = launch(env, args);
        return lines.subList(lines.size() - 2, lines.size());
    }

    /** What the real launcher hands a Java that prints its arguments, then the toolkit's two variables. */
    private List<String> launch(Map<String, String> env, String... args) throws Exception {
        Files.createDirectories(jdk.resolve("bin"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.1\"\n");
        var java = jdk.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n"
                + "echo \"GDK_BACKEND=${GDK_BACKEND--}\"\necho \"IBUS_ENABLE_SYNC_MODE=${IBUS_ENABLE_SYNC_MODE--}\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        var cmd = new ArrayList<>(List.of("sh", Path.of(System.getProperty("tether.launcher", "target/tether/bin/tether")).toString()));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TETHER_JAVA", java.toString());
        pb.environment().remove("TETHER_OPTS");
        pb.environment().keySet().removeAll(TOOLKIT_VARIABLES);
        pb.environment().putAll(env);
        var p = pb.start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        var lines = out.lines().toList();
        int main = lines.indexOf("dev.tether.cli.Main");
        assertThat(main).as(out).isPositive();
        assertThat(lines.subList(main + 1, lines.size() - 2)).as("the command's own arguments, untouched").containsExactly(args);
        return lines;
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
    void theConsoleStartsWithTheToolkitsVariablesAlreadySetSoThatProcessesItsRunsStartInheritThem() throws Exception {
        // set before the JVM starts, they are in the environment every process the console starts inherits (Tether
        // never clears a child's environment); the toolkit then only replaces them in place (ToolkitEnvironmentTest)
        var given = List.of("GDK_BACKEND=x11", "IBUS_ENABLE_SYNC_MODE=1");
        assertThat(toolkitVariablesFor(Map.of())).isEqualTo(given);
        assertThat(toolkitVariablesFor(Map.of(), "console", "--redis", "redis://localhost:6379")).isEqualTo(given);
        assertThat(toolkitVariablesFor(Map.of("GDK_BACKEND", "wayland", "IBUS_ENABLE_SYNC_MODE", "0"), "console"))
                .as("what the user set is kept").containsExactly("GDK_BACKEND=wayland", "IBUS_ENABLE_SYNC_MODE=0");
        assertThat(toolkitVariablesFor(Map.of("GDK_BACKEND", ""), "console")).as("even set empty")
                .containsExactly("GDK_BACKEND=", "IBUS_ENABLE_SYNC_MODE=1");
    }

    @Test
    void commandsWithoutAWindowStartWithoutTheToolkitsVariables() throws Exception {
        for (var command : List.of(List.of("worker"), List.of("serve"), List.of("submit", "console"))) {
            assertThat(toolkitVariablesFor(Map.of(), command.toArray(String[]::new))).as(String.join(" ", command))
                    .containsExactly("GDK_BACKEND=-", "IBUS_ENABLE_SYNC_MODE=-");
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
