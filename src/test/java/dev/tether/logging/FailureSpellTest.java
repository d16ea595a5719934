package dev.tether.logging;

import dev.tether.logging.FailureSpell.Say;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class FailureSpellTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final FailureSpell spell = new FailureSpell(now::get, Duration.ofMinutes(1));

    private void after(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void aSpellIsSaidWhenItStartsThenAtMostOnceAMinuteWhileItGoesOn() {
        assertThat(spell.failed("full")).isEqualTo(Say.STARTED);
        for (int i = 0; i < 59; i++) {
            after(Duration.ofSeconds(1));
            assertThat(spell.failed("full")).as("second %d", i + 1).isEqualTo(Say.NOTHING);
        }
        after(Duration.ofSeconds(1));
        assertThat(spell.failed("full")).isEqualTo(Say.AGAIN);
        after(Duration.ofSeconds(30));
        assertThat(spell.failed("full")).isEqualTo(Say.NOTHING);
        assertThat(spell.failures()).isEqualTo(62);
    }

    @Test
    void aNewReasonIsSaidAtOnceAndStartsItsOwnMinute() {
        spell.failed("full");
        after(Duration.ofSeconds(5));
        assertThat(spell.failed("no replicas")).isEqualTo(Say.AGAIN);
        after(Duration.ofSeconds(5));
        assertThat(spell.failed("no replicas")).isEqualTo(Say.NOTHING);
        assertThat(spell.failed("full")).as("back to the first reason: another change").isEqualTo(Say.AGAIN);
        assertThat(spell.failed(null)).isEqualTo(Say.AGAIN);
        assertThat(spell.failed(null)).as("null is a reason like any other").isEqualTo(Say.NOTHING);
    }

    @Test
    void itsEndIsSaidOnceWithHowLongItLastedAndHowManyFailuresItHad() {
        assertThat(spell.recovered()).as("no spell under way: nothing to say").isNull();
        spell.failed("full");
        after(Duration.ofSeconds(90));
        spell.failed("full");
        after(Duration.ofMillis(2_500));
        spell.failed("full");
        var over = spell.recovered();
        assertThat(over).isEqualTo(new FailureSpell.Over(Duration.ofMillis(92_500), 3));
        assertThat(over.seconds()).isEqualTo(92);
        assertThat(spell.recovered()).as("said once").isNull();
        assertThat(spell.failures()).isZero();
    }

    @Test
    void aFailureAfterTheEndStartsANewSpellSaidAtOnce() {
        spell.failed("full");
        spell.recovered();
        after(Duration.ofSeconds(1));
        assertThat(spell.failed("full")).isEqualTo(Say.STARTED);
        assertThat(spell.failures()).isEqualTo(1);
    }

    /** Threads that fail at once start one spell, and a minute's failures among them are said once. */
    @Test
    void racingFailuresSayTheStartOnceAndNothingMoreWithinTheMinute() throws Exception {
        for (int repetition = 0; repetition < 50; repetition++) {
            var shared = new FailureSpell(now::get, Duration.ofMinutes(1));
            var started = new AtomicInteger();
            var again = new AtomicInteger();
            var go = new CountDownLatch(1);
            try (var pool = Executors.newFixedThreadPool(4)) {
                var tasks = new ArrayList<java.util.concurrent.Future<?>>();
                for (int t = 0; t < 4; t++) {
                    tasks.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < 1_000; i++) {
                            switch (shared.failed("busy")) {
                                case STARTED -> started.incrementAndGet();
                                case AGAIN -> again.incrementAndGet();
                                case NOTHING -> { }
                            }
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (var task : tasks) task.get();
            }
            assertThat(started).hasValue(1);
            assertThat(again).hasValue(0);
            assertThat(shared.recovered().failures()).isEqualTo(4_000);
        }
    }
}
