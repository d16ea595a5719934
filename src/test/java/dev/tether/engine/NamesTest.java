package dev.tether.engine;

import dev.tether.catalog.GraphCatalog;
import dev.tether.registry.RunRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One rule for every name that goes into a Redis key, and one bound on a run's input. */
class NamesTest {
    @Test
    void aNameIsOneToSixtyFourLettersDigitsUnderscoresDashesOrDots() {
        assertThat(Names.isValid("email")).isTrue();
        assertThat(Names.isValid("ai_processing.eu-1")).isTrue();
        assertThat(Names.isValid("q".repeat(64))).isTrue();
        assertThat(Names.isValid("01a20fc6-0000-7000-8000-000000000001")).as("a run id").isTrue();
        for (var bad : new String[] {null, "", "w:runs", "a b", "q".repeat(65), "ü", "a/b", "a\nb", "a\u202eb", "*"}) {
            assertThat(Names.isValid(bad)).as(String.valueOf(bad)).isFalse();
        }
        assertThat(QueueNames.isValid("email:runs")).as("queues follow the same rule").isFalse();
    }

    @Test
    void theErrorIsOneLineAndShowsNoControlCharacter() {
        assertThatThrownBy(() -> Names.require("worker name", "w:runs\n\u001b[2J"))
                .hasMessage("worker name 'w:runs??[2J' is not valid: use 1-64 letters, digits, '_', '-' or '.'");
    }

    @Test
    void aDefaultNameIsMadeValid() {
        assertThat(Names.sanitize("my host:1234")).isEqualTo("my-host-1234");
        assertThat(Names.isValid(Names.sanitize("h".repeat(100) + "-42"))).isTrue();
        assertThat(Names.sanitize("h".repeat(100) + "-42")).endsWith("-42");
    }

    @Test
    void anEngineRefusesAQueueThatWouldAliasAKeyAndAnInputOverTheLimit() {
        var engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1), GraphCatalog.load(null), new RunRegistry());
        try {
            assertThatThrownBy(() -> engine.submit("welcome-email", "email:x", Map.of())).hasMessageContaining("queue 'email:x' is not valid");
            assertThatThrownBy(() -> engine.submit("welcome-email", null, Map.of("to", "x".repeat(InputLimit.MAX_BYTES))))
                    .hasMessageMatching("input is \\d+ bytes as JSON, larger than the limit of 32768 bytes");
            assertThat(engine.registry().size()).isZero();
            var fits = "x".repeat(InputLimit.MAX_BYTES - 1_000);
            assertThat(engine.submit("welcome-email", null, Map.of("to", fits)).input()).containsEntry("to", fits);
        } finally {
            engine.shutdown(Duration.ofSeconds(10));
        }
    }
}
