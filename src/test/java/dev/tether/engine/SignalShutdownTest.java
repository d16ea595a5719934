package dev.tether.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A real child JVM receives SIGTERM or SIGINT: every run is cancelled, and the process exits in time. */
@org.junit.jupiter.api.Tag("process")
// The probe's output is read with a blocking readLine: a probe that never reports must fail the test, not hang the build.
@org.junit.jupiter.api.Timeout(value = 90, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class SignalShutdownTest {

    @ParameterizedTest(name = "{0}, stubborn run: {1}")
    @CsvSource({"TERM,false", "INT,false", "TERM,true"})
    void aSignalCancelsEverythingAndTheProcessExitsInTime(String signal, boolean stubborn) throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SignalProbe.class.getName(), stubborn ? "stubborn" : "cooperative")
                .redirectErrorStream(true).start();
        try {
            var out = new BufferedReader(new InputStreamReader(process.getInputStream()));
            var lines = new ArrayList<String>();
            String line;
            while ((line = out.readLine()) != null && !line.equals("READY")) lines.add(line);
            assertThat(line).as("probe output: %s", lines).isEqualTo("READY");

            long t0 = System.nanoTime();
            new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            out.lines().forEach(lines::add);

            List<String> finals = lines.stream().filter(l -> l.startsWith("FINAL")).toList();
            assertThat(finals).contains("FINAL book-workflow CANCELLED");
            assertThat(finals).doesNotContain("FINAL book-workflow RUNNING", "FINAL book-workflow CANCELLING");
            if (stubborn) {
                assertThat(finals).contains("FINAL stubborn STUCK");
                assertThat(tookMs).as("deadline 2 s + 1 s").isLessThan(3_000);
            } else {
                assertThat(tookMs).as("cooperative runs: within 2 s").isLessThan(2_000);
            }
        } finally {
            process.destroyForcibly();
        }
    }
}
