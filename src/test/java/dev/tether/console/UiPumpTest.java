package dev.tether.console;

import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pump between the registry and the rows: a quiet console shows each change at the next pulse;
 * under a storm it applies about 30 times a second, coalescing what came in between.
 */
class UiPumpTest {
    private static final long PULSE = 16_666_667L; // 60 Hz
    private final RunRegistry registry = new RunRegistry();
    private final List<List<RunSnapshot>> batches = new ArrayList<>();
    private final UiPump pump = new UiPump(registry.openFeed(), batches::add, () -> {}, () -> {});
    private int next;

    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage(); // an AnimationTimer needs the toolkit; handle() is driven by hand here
    }

    private void submit(int runs) {
        for (int i = 0; i < runs; i++) registry.apply(new RunEvent.Submitted("run-" + next++, "g", "q", Map.of(), Instant.now()));
    }

    @Test
    void aQuietConsoleShowsEachChangeAtTheNextPulse() {
        submit(3);
        pump.handle(0);
        submit(1);
        pump.handle(PULSE);
        pump.handle(2 * PULSE); // nothing new: no batch

        assertThat(batches).extracting(List::size).containsExactly(3, 1);
    }

    @Test
    void underAStormChangesAreAppliedEveryOtherPulseCoalesced() {
        submit(1_000);
        pump.handle(0);
        submit(1_000);
        pump.handle(PULSE); // a storm: this pulse only lets the feed coalesce
        submit(500);
        pump.handle(2 * PULSE);
        assertThat(batches).extracting(List::size).containsExactly(1_000, 1_500);

        submit(1);
        pump.handle(3 * PULSE); // the last batch was a storm: wait for the gap
        pump.handle(4 * PULSE);
        submit(1);
        pump.handle(5 * PULSE); // quiet again: every pulse
        assertThat(batches).extracting(List::size).containsExactly(1_000, 1_500, 1, 1);
    }

    @Test
    void aLoadOfManyRunsReachesTheRowsAFewThousandAPulseInOrderAndNoneIsLost() {
        submit(2 * UiPump.MAX_BATCH + 10); // a console opened over many runs: they arrive as they load
        for (int pulse = 0; pulse < 20; pulse++) {
            if (pulse == 1) submit(5); // changes that come meanwhile wait behind those drained before them
            pump.handle(pulse * 2 * PULSE); // every other pulse: each of these may apply, storm or not
        }
        assertThat(batches).allSatisfy(b -> assertThat(b).hasSizeLessThanOrEqualTo(UiPump.MAX_BATCH));
        var applied = batches.stream().flatMap(List::stream).map(RunSnapshot::runId).toList();
        assertThat(applied).hasSize(2 * UiPump.MAX_BATCH + 15).doesNotHaveDuplicates();
        assertThat(applied.subList(applied.size() - 5, applied.size())).as("the later changes come last")
                .allMatch(id -> Integer.parseInt(id.substring(4)) >= 2 * UiPump.MAX_BATCH + 10);
    }
}
