package dev.tether.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteSizeConverterTest {
    private final ByteSizeConverter sizes = new ByteSizeConverter();

    @Test
    void sizesAreReadAsPeopleWriteThem() {
        assertThat(sizes.convert("4096")).isEqualTo(4096L);
        assertThat(sizes.convert("100KiB")).isEqualTo(100L * 1024);
        assertThat(sizes.convert("512MiB")).isEqualTo(512L * 1024 * 1024);
        assertThat(sizes.convert("2 GB")).isEqualTo(2L * 1024 * 1024 * 1024);
    }

    @Test
    void anythingElseIsAOneLineError() {
        assertThatThrownBy(() -> sizes.convert("lots")).isInstanceOf(TypeConversionException.class).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> sizes.convert("0")).isInstanceOf(TypeConversionException.class).hasMessageContaining("out of range");
        assertThatThrownBy(() -> sizes.convert("99999999999999GiB")).isInstanceOf(TypeConversionException.class);
    }
}
