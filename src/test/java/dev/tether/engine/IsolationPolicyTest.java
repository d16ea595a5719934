package dev.tether.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** isolation.properties: per-graph isolation and grace over the command line's default. */
class IsolationPolicyTest {

    @Test
    void overridesComeFromTheFileAndEverythingElseFromTheDefault(@TempDir Path dir) throws Exception {
        var file = dir.resolve(IsolationPolicy.FILE);
        Files.writeString(file, """
                # graphs known to ignore cancels
                stubborn = process
                book-workflow = THREAD
                stubborn.grace = 1500ms
                cpu-crunch.grace = 2s
                """);
        var policy = IsolationPolicy.load(Isolation.THREAD, file);
        assertThat(policy.of("stubborn")).isEqualTo(Isolation.PROCESS);
        assertThat(policy.of("book-workflow")).isEqualTo(Isolation.THREAD);
        assertThat(policy.of("welcome-email")).isEqualTo(Isolation.THREAD);
        assertThat(policy.usesProcesses()).isTrue();
        assertThat(policy.graceOf("stubborn", Duration.ofSeconds(5))).isEqualTo(Duration.ofMillis(1_500));
        assertThat(policy.graceOf("cpu-crunch", Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.graceOf("welcome-email", Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        assertThat(policy.perGraph()).doesNotContainKeys("stubborn.grace", "cpu-crunch.grace");

        var processByDefault = IsolationPolicy.load(Isolation.PROCESS, file);
        assertThat(processByDefault.of("welcome-email")).isEqualTo(Isolation.PROCESS);
        assertThat(processByDefault.of("book-workflow")).isEqualTo(Isolation.THREAD);
    }

    @Test
    void aMissingFileHasNoOverridesAndABadValueIsAnError(@TempDir Path dir) throws Exception {
        var none = IsolationPolicy.load(Isolation.THREAD, dir.resolve("absent.properties"));
        assertThat(none.usesProcesses()).isFalse();
        assertThat(none.perGraph()).isEmpty();

        var bad = dir.resolve("bad.properties");
        Files.writeString(bad, "stubborn = container\n");
        assertThatThrownBy(() -> IsolationPolicy.load(Isolation.THREAD, bad))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stubborn").hasMessageContaining("thread or process");
        Files.writeString(bad, "stubborn.grace = soon\n");
        assertThatThrownBy(() -> IsolationPolicy.load(Isolation.THREAD, bad))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a duration");
    }
}
