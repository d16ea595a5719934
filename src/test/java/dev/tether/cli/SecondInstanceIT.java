package dev.tether.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A second {@code serve} on a home whose instance is alive: refused before it starts anything. */
@Tag("process")
class SecondInstanceIT {

    @Test
    void aSecondServeIsRefusedBeforeItStartsAnEngineAndTheFirstKeepsItsControlFile() throws Exception {
        var tether = Launcher.inFreshHome("second");
        var first = tether.serve("--isolation", "process");
        try {
            tether.run("submit", "book-workflow", "--input", "nodeMillis=60000");
            tether.run("submit", "book-workflow", "--input", "nodeMillis=60000");
            var published = dev.tether.control.ControlFile.read(tether.controlFile());

            var pb = tether.command("serve", "--isolation", "process");
            pb.environment().put("TETHER_LOG_LEVEL", "INFO");
            var second = pb.start();
            var out = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            var err = new String(second.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(second.exitValue()).as(err).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(out).isEmpty();
            // one line, the refusal: no engine started and shut down, no history opened, no child JVM
            assertThat(err.lines().toList()).as(err).hasSize(1);
            assertThat(err).startsWith("tether: another Tether instance (pid " + first.pid() + ")").doesNotContain("engine shut down");
            assertThat(dev.tether.control.ControlFile.read(tether.controlFile())).isEqualTo(published);
            assertThat(tether.run("list").exit()).isZero();
        } finally {
            Launcher.stop(first);
        }
    }
}
