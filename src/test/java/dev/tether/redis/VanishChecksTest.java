package dev.tether.redis;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which shown runs a view asks Redis about on each pass of the vanished-record check. */
class VanishChecksTest {
    private static final int SLICE = VanishChecks.SLICE;
    private final VanishChecks checks = new VanishChecks();

    private static List<String> runs(int n) {
        return IntStream.range(0, n).mapToObj(i -> "r" + i).toList();
    }

    @Test
    void withFewRunsShownEveryOneIsAskedAboutOnEveryPass() {
        var shown = runs(SLICE);
        for (int pass = 0; pass < 3; pass++) {
            assertThat(checks.next(() -> shown, id -> true)).isEqualTo(shown);
            checks.found(List.of());
        }
    }

    @Test
    void withManyTheFirstPassAsksAboutEveryOneAndLaterPassesASliceInTurnUntilAllWereAsked() {
        var shown = runs(10 * SLICE + 7);
        assertThat(checks.next(() -> shown, id -> true)).hasSize(shown.size());
        checks.found(List.of());
        var asked = new HashSet<String>();
        for (int pass = 0; pass < 11; pass++) {
            var ask = checks.next(() -> shown, id -> true);
            assertThat(ask).hasSizeLessThanOrEqualTo(SLICE);
            asked.addAll(ask);
            checks.found(List.of());
        }
        assertThat(asked).containsExactlyInAnyOrderElementsOf(shown);
        assertThat(checks.next(() -> shown, id -> true)).as("round again").startsWith("r0");
    }

    @Test
    void aRunFoundMissingMakesTheNextPassAskAboutEveryOneThenItIsAskedAboutOnEachPassWhileShown() {
        var shown = runs(5 * SLICE);
        checks.next(() -> shown, id -> true);
        checks.found(List.of());
        var slice = checks.next(() -> shown, id -> true);
        checks.found(List.of(slice.get(3)));
        assertThat(checks.next(() -> shown, id -> true)).as("Redis may have lost every record").hasSize(shown.size());
        checks.found(List.of(slice.get(3)));
        var missing = slice.get(3);
        var next = checks.next(() -> shown, id -> true);
        assertThat(next).as("a slice again, with the missing run").hasSize(SLICE + 1).contains(missing);
        checks.found(List.of(missing));
        assertThat(checks.next(() -> shown, id -> !id.equals(missing))).as("no longer shown active: not asked about").hasSize(SLICE)
                .doesNotContain(missing);
    }

    @Test
    void aRunStillMissingIsNoReasonToAskAboutEveryRunAgain() {
        var shown = runs(3 * SLICE);
        checks.next(() -> shown, id -> true);
        checks.found(List.of("r2500"));
        for (int pass = 0; pass < 5; pass++) {
            assertThat(checks.next(() -> shown, id -> true)).hasSizeLessThanOrEqualTo(SLICE + 1).contains("r2500");
            checks.found(List.of("r2500"));
        }
    }

    @Test
    void theRunsShownAreListedOncePerRoundNotOnEveryPass() {
        var shown = runs(10 * SLICE + 7);
        var listed = new AtomicInteger();
        for (int pass = 0; pass < 12; pass++) { // every run, then the 11 slices of a round
            checks.next(() -> {
                listed.incrementAndGet();
                return shown;
            }, id -> true);
            checks.found(List.of());
        }
        assertThat(listed).as("listed for the pass that asked about every run, kept for the round").hasValue(1);
        checks.next(() -> {
            listed.incrementAndGet();
            return shown;
        }, id -> true);
        assertThat(listed).as("a new round lists them again").hasValue(2);
    }

    @Test
    void aRunThatLeftSinceTheRoundBeganIsNotAskedAboutAndOneShownSinceIsAskedAboutInTheNextRound() {
        var shown = new java.util.ArrayList<>(runs(3 * SLICE));
        checks.next(() -> List.copyOf(shown), id -> true);
        checks.found(List.of());
        shown.add("late");
        shown.remove("r1500");
        var asked = new HashSet<String>();
        for (int pass = 0; pass < 3; pass++) {
            asked.addAll(checks.next(() -> List.copyOf(shown), shown::contains));
            checks.found(List.of());
        }
        assertThat(asked).as("the round that began before").hasSize(3 * SLICE - 1).doesNotContain("r1500", "late");
        assertThat(checks.next(() -> List.copyOf(shown), shown::contains)).as("the next round").startsWith("r0");
        checks.found(List.of());
        var later = new HashSet<String>();
        for (int pass = 0; pass < 3; pass++) {
            later.addAll(checks.next(() -> List.copyOf(shown), shown::contains));
            checks.found(List.of());
        }
        assertThat(later).contains("late");
    }
}
