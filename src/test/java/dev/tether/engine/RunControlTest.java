package dev.tether.engine;

import dev.tether.testing.Hang;

import dev.tether.api.RunCancelledException;
import dev.tether.run.StopLevel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cancel path alone: levels, escalation, interrupt, token, forwarding; no engine involved. */
class RunControlTest {

    @Test
    void cancelInterruptsTheAttachedThreadAndWakesTheToken() throws Exception {
        var control = new RunControl("r1");
        var woke = new AtomicReference<Throwable>();
        var attached = new CountDownLatch(1);
        var worker = Thread.ofPlatform().start(() -> {
            control.attach(Thread.currentThread());
            attached.countDown();
            try {
                control.sleep(Duration.ofSeconds(30));
            } catch (Throwable t) {
                woke.set(t);
            } finally {
                control.detach();
            }
        });
        attached.await();
        assertThat(control.cancel()).isTrue();
        worker.join(Hang.IN_PROCESS);
        assertThat(worker.isAlive()).isFalse();
        assertThat(woke.get()).isInstanceOf(RunCancelledException.class);
        assertThat(control.isCancelled()).isTrue();
        assertThat(control.level()).isEqualTo(StopLevel.CANCEL);
        assertThat(control.cancel()).as("a repeat changes nothing").isFalse();
    }

    @Test
    void afterNodeClosesTheBoundaryOnlyAndCanBeEscalated() throws Exception {
        var control = new RunControl("r2");
        var interrupted = new CountDownLatch(1);
        var attached = new CountDownLatch(1);
        var worker = Thread.ofPlatform().start(() -> {
            control.attach(Thread.currentThread());
            attached.countDown();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        attached.await();
        assertThat(control.stop(StopLevel.AFTER_NODE)).isTrue();
        assertThat(control.stopRequested()).isTrue();
        assertThat(control.isCancelled()).as("the node is not told").isFalse();
        assertThat(interrupted.await(200, TimeUnit.MILLISECONDS)).as("no interrupt at level 1").isFalse();
        assertThat(control.whenCancelled()).isNotDone();

        assertThat(control.stop(StopLevel.CANCEL)).as("escalation").isTrue();
        assertThat(interrupted.await(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(control.isCancelled()).isTrue();
        assertThat(control.stop(StopLevel.AFTER_NODE)).as("never softened").isFalse();
        assertThat(control.level()).isEqualTo(StopLevel.CANCEL);
        worker.join();
    }

    @Test
    void stopsAreForwardedToWhereTheRunExecutesIncludingEarlierOnes() {
        var control = new RunControl("r3");
        var seen = new CopyOnWriteArrayList<StopLevel>();
        control.stop(StopLevel.AFTER_NODE);
        control.forwardTo(seen::add);
        assertThat(control.isRemote()).isTrue();
        control.stop(StopLevel.KILL);
        control.stop(StopLevel.CANCEL); // softer than kill: nothing
        assertThat(seen).containsExactly(StopLevel.AFTER_NODE, StopLevel.KILL);
        assertThatThrownBy(control::throwIfCancelled).isInstanceOf(RunCancelledException.class);
    }

    @Test
    void onlyTheFirstExecutorClaimsARun() {
        var control = new RunControl("r4");
        assertThat(control.claim()).isTrue();
        assertThat(control.claim()).isFalse();
    }

    @Test
    void levelsParseFromTheirLabels() {
        assertThat(StopLevel.parse("after-node")).isEqualTo(StopLevel.AFTER_NODE);
        assertThat(StopLevel.parse("KILL")).isEqualTo(StopLevel.KILL);
        assertThat(StopLevel.parse("2")).isEqualTo(StopLevel.CANCEL);
        assertThat(StopLevel.parse(null)).isEqualTo(StopLevel.CANCEL);
        assertThatThrownBy(() -> StopLevel.parse("hard")).isInstanceOf(IllegalArgumentException.class);
    }
}
