package dev.tether.console;

import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pump between the registry and the rows: a quiet console shows each change at the next pulse;
 * under a storm it applies about 30 times a second, coalescing what came in between. While nothing
 * changes it asks for no pulses at all, and the first change or clock tick wakes it.
 */
class UiPumpTest {
    private static final long PULSE = 16_666_667L; // 60 Hz
    private final RunRegistry registry = new RunRegistry();
    private final List<List<RunSnapshot>> batches = new ArrayList<>();
    private final UiPump pump = new UiPump(registry.openFeed(), batches::add, () -> {}, () -> {});
    private int next;
    private UiPump running; // a pump started on the real toolkit, stopped after the test

    @AfterEach
    void stopRunning() throws Exception {
        if (running != null) WaitForAsyncUtils.asyncFx(running::stop).get(5, TimeUnit.SECONDS);
    }

    /** Starts a pump on the FX thread whose clock ticks every {@code tick}; its pulses and ticks are counted. */
    private UiPump started(java.util.function.Consumer<List<RunSnapshot>> onBatch, AtomicInteger pulses, AtomicInteger ticks,
                           Duration tick) throws Exception {
        var p = new UiPump(registry.openFeed(), onBatch, pulses::incrementAndGet, ticks::incrementAndGet, tick);
        running = p;
        WaitForAsyncUtils.asyncFx(p::start).get(5, TimeUnit.SECONDS);
        return p;
    }

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

    @Test
    void aPumpWithNothingToApplyAsksForNoPulsesUntilAChangeComes() throws Exception {
        var pulses = new AtomicInteger();
        var applied = new ConcurrentHashMap<String, RunSnapshot>();
        var pump = started(b -> b.forEach(r -> applied.put(r.runId(), r)), pulses, new AtomicInteger(), Duration.ofHours(1));
        submit(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> applied.size() == 1 && pump.asleep());

        int asleepAt = pulses.get();
        Thread.sleep(500); // 30 pulses' worth: a pump that kept its timer running would count them all
        assertThat(pulses.get()).as("pulses while asleep").isEqualTo(asleepAt);

        submit(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> applied.size() == 2);
        assertThat(pulses.get()).isGreaterThan(asleepAt);
    }

    @Test
    void aBurstOfChangesWakesTheSleepingPumpOnceNotOncePerChange() throws Exception {
        var pulses = new AtomicInteger();
        var applied = new ConcurrentHashMap<String, RunSnapshot>();
        var pump = started(b -> b.forEach(r -> applied.put(r.runId(), r)), pulses, new AtomicInteger(), Duration.ofHours(1));
        await().atMost(Duration.ofSeconds(10)).until(pump::asleep);
        submit(2_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> applied.size() == 2_000);
        // a wake-up ends a sleep, and the pump goes to sleep at most once a pulse
        assertThat(pump.wakeUps()).isBetween(1, pulses.get());
    }

    @Test
    void theClockTicksWhileThePumpSleepsAndWakesItOncePerTick() throws Exception {
        var pulses = new AtomicInteger();
        var ticks = new AtomicInteger();
        var pump = started(b -> {}, pulses, ticks, Duration.ofMillis(50));
        await().atMost(Duration.ofSeconds(10)).until(pump::asleep);
        int from = ticks.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> ticks.get() >= from + 10);
        // each tick wakes the pump for one pulse (two if it lands mid-pulse), not for a run of them
        assertThat(pulses.get()).isLessThanOrEqualTo(2 * ticks.get() + 2);
    }

    /**
     * A producer offers changes at random moments, many of them just as the pump goes to sleep. The clock
     * is stretched to an hour, so only the changes can wake it, and the producer waits for each change to
     * be applied before the next: a lost wake-up leaves a change unapplied.
     */
    @RepeatedTest(2)
    void everyChangeReachesTheRowsHoweverItRacesThePumpGoingToSleep() throws Exception {
        var applied = new ConcurrentHashMap<String, RunSnapshot>();
        var p = new UiPump(registry.openFeed(), b -> b.forEach(r -> applied.merge(r.runId(), r, (a, n) -> n.version() > a.version() ? n : a)),
                () -> { // a pulse's other work (lingering rows, a resort) takes a while after the drain
                    long until = System.nanoTime() + 2_000_000L;
                    while (System.nanoTime() < until) Thread.onSpinWait();
                }, () -> {}, Duration.ofHours(1));
        running = p;
        WaitForAsyncUtils.asyncFx(p::start).get(5, TimeUnit.SECONDS);
        // one producer: another's change would wake the pump for a lost one
        var id = "race";
        registry.apply(new RunEvent.Submitted(id, "g", "q", Map.of(), Instant.now()));
        var last = registry.apply(new RunEvent.Started(id, "w", Instant.now())).after();
        var rnd = ThreadLocalRandom.current();
        for (int i = 0; i < 200; i++) {
            // 0-20 ms: around a pulse, so offers land before, during and after the pump's sleep
            long pause = rnd.nextLong(20_000_000L);
            long until = System.nanoTime() + pause;
            if (rnd.nextBoolean()) while (System.nanoTime() < until) Thread.onSpinWait();
            else java.util.concurrent.locks.LockSupport.parkNanos(pause);
            var change = registry.apply(new RunEvent.NodeStarted(id, "n" + i, Instant.now())).after();
            last = change;
            // each change must arrive on its own: a later one must not be what wakes the pump for it
            await("change " + i + " applied").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                    .until(() -> applied.containsKey(id) && applied.get(id).version() >= change.version());
        }
        assertThat(applied.get(id).version()).isEqualTo(last.version());
    }

    @Test
    void aStoppedPumpIgnoresChangesAndLeavesNoClockThread() throws Exception {
        var pulses = new AtomicInteger();
        var pump = started(b -> {}, pulses, new AtomicInteger(), Duration.ofMillis(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> pulses.get() > 0);
        WaitForAsyncUtils.asyncFx(pump::stop).get(5, TimeUnit.SECONDS);
        running = null;
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("tether-console-clock")));
        int stoppedAt = pulses.get();
        submit(5);
        Thread.sleep(200);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(pulses.get()).isEqualTo(stoppedAt);
    }
}
