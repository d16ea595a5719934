package dev.tether.json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fast instant writer is Instant.toString, character for character; the fast reader agrees with
 * Instant.parse wherever it answers, and steps aside elsewhere.
 */
class IsoInstantsTest {
    @Test
    void writesExactlyWhatInstantToStringWritesForAMillionRandomInstants() {
        var random = new SplittableRandom(25);
        long from = Instant.parse("-0100-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("+10100-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 1_000_000; i++) {
            int nanos = nanosOfEveryPrecision(random, i);
            var t = Instant.ofEpochSecond(i % 10 == 0 ? random.nextLong(from, to) : random.nextLong(0, 4_102_444_800L), nanos);
            assertThat(IsoInstants.format(t)).isEqualTo(t.toString());
        }
        for (var edge : new String[] {"1970-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2024-02-29T12:00:00.000001Z"}) {
            assertThat(IsoInstants.format(Instant.parse(edge))).isEqualTo(edge);
        }
    }

    @Test
    void agreesWithInstantParseOnAMillionRandomInstantsOfEveryPrecision() {
        var random = new SplittableRandom(26);
        long from = Instant.parse("1970-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("2400-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 1_000_000; i++) {
            int nanos = nanosOfEveryPrecision(random, i);
            var text = Instant.ofEpochSecond(random.nextLong(from, to), nanos).toString();
            assertThat(IsoInstants.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    /** None, milli, micro and nano precision in turn: Instant.toString writes 0, 3, 6 or 9 digits. */
    private static int nanosOfEveryPrecision(SplittableRandom random, int i) {
        return switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
        };
    }

    @Test
    void readsFractionsOfAnyLength() {
        assertThat(IsoInstants.parse("2026-11-26T09:54:17.5Z")).isEqualTo(Instant.parse("2026-11-26T09:54:17.500Z"));
        assertThat(IsoInstants.parse("2026-11-26T09:54:17.0000001Z")).isEqualTo(Instant.parse("2026-11-26T09:54:17.000000100Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2026-11-26", "2026-11-26T09:54:17", "2026-11-26T09:54:17+01:00", "2026-11-26 09:54:17Z",
            "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T23:59:60Z",
            "2026-11-26T09:54:17.Z", "2026-11-26T09:54:17.1234567890Z", "+12026-11-26T09:54:17Z", "2026-1a-26T09:54:17Z"})
    void leavesEverythingElseToTheStandardParser(String text) {
        assertThat(IsoInstants.parse(text)).isNull();
    }

    @Test
    void jsonStillReadsOtherFormsAndStillRejectsGarbage() {
        record Stamp(Instant at) {}
        assertThat(Json.read("{\"at\":\"2026-11-26T23:59:60Z\"}", Stamp.class).at()).isEqualTo(Instant.parse("2026-11-26T23:59:59Z"));
        assertThat(Json.read("{\"at\":1764150857.5}", Stamp.class).at()).isEqualTo(Instant.ofEpochSecond(1_764_150_857L, 500_000_000));
        assertThatThrownBy(() -> Json.read("{\"at\":\"yesterday\"}", Stamp.class))
                .isInstanceOf(IllegalArgumentException.class).hasRootCauseInstanceOf(DateTimeParseException.class);
    }
}
