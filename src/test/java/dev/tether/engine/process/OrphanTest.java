package dev.tether.engine.process;

import dev.tether.testing.Hang;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JVM that owns the children ends: by SIGKILL (no shutdown hook runs), nothing it started is
 * left soon after, though the node's {@code sleep} would last 1,000 s; by SIGTERM (the shutdown),
 * nothing is left once it has exited. How soon after a SIGKILL (the README's 2 s) is measured by
 * ShutdownBench.
 */
@org.junit.jupiter.api.Tag("process")
// The probe's output is read with a blocking readLine: a probe that never reports must fail the test, not hang the build.
@org.junit.jupiter.api.Timeout(value = 3 * Hang.ACROSS_PROCESSES_SECONDS, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class OrphanTest {

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"KILL", "TERM"})
    void whenTheParentEndsNoChildNorGrandchildIsLeft(String signal, @TempDir Path dir) throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var probe = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), OrphanProbe.class.getName(),
                dir.resolve("sleep.pid").toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            var out = new BufferedReader(new InputStreamReader(probe.getInputStream()));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("PIDS")) { /* skip */ }
            assertThat(line).as("probe output").isNotNull();
            List<Long> pids = Arrays.stream(line.substring(5).trim().split(" ")).map(Long::parseLong).toList();
            assertThat(pids).hasSizeGreaterThanOrEqualTo(3); // two children and the node's sleep
            assertThat(pids).allMatch(ProcessTreeCount::alive);

            new ProcessBuilder("kill", "-" + signal, Long.toString(probe.pid())).start().waitFor();
            assertThat(probe.waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)).isTrue();
            if (signal.equals("TERM")) { // the shutdown killed them before the JVM exited
                assertThat(pids.stream().filter(ProcessTreeCount::alive).toList()).as("alive after a SIGTERM shutdown").isEmpty();
                return;
            }
            long t0 = System.nanoTime();
            while (pids.stream().anyMatch(ProcessTreeCount::alive) && System.nanoTime() - t0 < Hang.ACROSS_PROCESSES.toNanos()) {
                Thread.sleep(20);
            }
            assertThat(pids.stream().filter(ProcessTreeCount::alive).toList()).as("alive after the parent's SIGKILL").isEmpty();
            System.out.printf("orphans gone %d ms after the parent's SIGKILL%n", (System.nanoTime() - t0) / 1_000_000);
        } finally {
            probe.destroyForcibly();
        }
    }
}
