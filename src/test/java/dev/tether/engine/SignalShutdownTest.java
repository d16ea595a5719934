package dev.tether.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.tether.testing.Hang;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real child JVM receives SIGTERM or SIGINT: every run is cancelled, a run that ignores it ends
 * STUCK, and the process exits although that run's thread would spin for ten more minutes. How soon
 * it exits (within the 2 s shutdown timeout and a moment) is measured by ShutdownBench.
 */
@org.junit.jupiter.api.Tag("process")
// The probe's output is read with a blocking readLine: a probe that never reports must fail the test, not hang the build.
@org.junit.jupiter.api.Timeout(value = 2 * Hang.ACROSS_PROCESSES_SECONDS, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class SignalShutdownTest {

    @ParameterizedTest(name = "{0}, stubborn run: {1}")
    @CsvSource({"TERM,false", "INT,false", "TERM,true"})
    void aSignalCancelsEverythingAndTheProcessExitsInTime(String signal, boolean stubborn) throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // A JVM started with SIGINT ignored (a build run in the background by a script, or under nohup)
        // keeps ignoring it, as Unix programs should; env resets it, so the test does not depend on how
        // the build was started.
        var process = new ProcessBuilder("env", "--default-signal=INT", java, "-cp", System.getProperty("java.class.path"),
                SignalProbe.class.getName(), stubborn ? "stubborn" : "cooperative")
                .redirectErrorStream(true).start();
        try {
            var out = new BufferedReader(new InputStreamReader(process.getInputStream()));
            var lines = new ArrayList<String>();
            String line;
            while ((line = out.readLine()) != null && !line.equals("READY")) lines.add(line);
            assertThat(line).as("probe output: %s", lines).isEqualTo("READY");

            new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
            assertThat(process.waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)).as("the process exits").isTrue();
            out.lines().forEach(lines::add);

            List<String> finals = lines.stream().filter(l -> l.startsWith("FINAL")).toList();
            var cancelled = "FINAL book-workflow CANCELLED";
            assertThat(finals).as("every run ended: cancelled, or STUCK where it ignored the cancel")
                    .containsExactlyInAnyOrderElementsOf(stubborn ? List.of(cancelled, cancelled, "FINAL stubborn STUCK") : List.of(cancelled, cancelled));
        } finally {
            process.destroyForcibly();
        }
    }
}
