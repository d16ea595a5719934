package dev.tether.api;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InputsTest {
    private final Map<String, Object> defaults = new LinkedHashMap<>(Map.of("chapters", 3, "jitter", 0.3, "dry", false, "title", "x", "seed", 0L));

    @Test
    void valuesTakeTheTypeOfTheDefault() {
        var in = Inputs.coerce(defaults, Map.of("chapters", "5", "jitter", "0.5", "dry", "yes", "title", "My book", "extra", "7"));
        assertThat(in).containsEntry("chapters", 5).containsEntry("jitter", 0.5).containsEntry("dry", true)
                .containsEntry("title", "My book").containsEntry("extra", "7").containsEntry("seed", 0L);
    }

    @Test
    void badValuesGiveAOneLineMessageNamingKeyAndType() {
        assertThatThrownBy(() -> Inputs.coerce(defaults, Map.of("chapters", "many")))
                .hasMessage("input 'chapters' must be an integer, got 'many'");
        assertThatThrownBy(() -> Inputs.coerce(defaults, Map.of("dry", "perhaps")))
                .hasMessage("input 'dry' must be true or false, got 'perhaps'");
    }

    @Test
    void numbersMustBeFiniteAndDecimal() {
        for (var text : new String[] {"NaN", "-NaN", "Infinity", "-Infinity", "+Infinity", "1e999", "0x1p3", "1d", "2f", " ", ""}) {
            assertThatThrownBy(() -> Inputs.coerce(defaults, Map.of("jitter", text))).as(text)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("input 'jitter' must be a number (finite, in decimal notation), got '");
        }
        assertThat(Inputs.coerce(defaults, Map.of("jitter", "-1.5e-3"))).containsEntry("jitter", -0.0015);
        assertThat(Inputs.coerce(defaults, Map.of("jitter", ".5"))).containsEntry("jitter", 0.5);
        assertThatThrownBy(() -> Inputs.coerce(defaults, Map.of("chapters", "NaN"))).hasMessageContaining("must be an integer");
    }

    @Test
    void pairsSplitAtTheFirstEquals() {
        assertThat(Inputs.splitPair("q=a=b")).isEqualTo(Map.entry("q", "a=b"));
        assertThatThrownBy(() -> Inputs.splitPair("novalue")).hasMessage("input 'novalue' is not of the form key=value");
        assertThatThrownBy(() -> Inputs.splitPair("=v")).hasMessageContaining("key=value");
    }
}
