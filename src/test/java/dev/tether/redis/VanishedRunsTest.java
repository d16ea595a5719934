package dev.tether.redis;

import dev.tether.engine.WorkerInfo;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a view may show LOST a run whose record Redis lost: only once no worker may still write it
 * back. Found by the Redis soak: Redis came back empty during a connection-kill storm, the worker
 * running a run could not finish its catch-up for more than 5 s, and the view showed the run LOST
 * (and, having never seen it start, "never started") while it ran on and completed.
 */
class VanishedRunsTest {
    private static final long S = 1_000_000_000L;
    private static final long AFTER = VanishedRuns.AFTER.toNanos();
    private static final long DEFAULT_SILENCE = VanishedRuns.DEFAULT_FENCE.toNanos() + Heartbeat.TTL.toNanos();

    private final VanishedRuns vanished = new VanishedRuns();

    private static WorkerInfo worker(String name, Boolean holding, Long fenceAfterMillis) {
        return new WorkerInfo(name, "host", 1, List.of("q"), 1, 1, 0, Instant.EPOCH, Instant.EPOCH, List.of("g"), List.of(),
                holding, fenceAfterMillis);
    }

    @Test
    void withNoWorkerAroundAMissingRunIsLostAfterFiveSecondsAndOnlyOnce() {
        vanished.workersRead(List.of(), 0);
        assertThat(vanished.lost(List.of("r1"), 0)).isEmpty();
        assertThat(vanished.lost(List.of("r1"), AFTER - 1)).isEmpty();
        assertThat(vanished.lost(List.of("r1"), AFTER)).containsExactly("r1");
        assertThat(vanished.lost(List.of("r1"), AFTER + S)).as("judged once; a new absence counts again").isEmpty();
    }

    @Test
    void aRunThatCameBackStartsItsCountAgainIfItGoesMissingLater() {
        vanished.workersRead(List.of(), 0);
        vanished.lost(List.of("r1"), 0);
        assertThat(vanished.lost(List.of(), 4 * S)).isEmpty();
        assertThat(vanished.lost(List.of("r1"), 6 * S)).isEmpty();
        assertThat(vanished.lost(List.of("r1"), 6 * S + AFTER)).containsExactly("r1");
    }

    @Test
    void noRunIsJudgedWhileALiveWorkerHoldsItsRunsHoweverLongItTakes() {
        vanished.workersRead(List.of(worker("w1", false, 10_000L)), 0);
        vanished.lost(List.of("r1", "r2"), 0);
        vanished.workersRead(List.of(worker("w1", true, 10_000L)), S);
        assertThat(vanished.waitingFor()).contains("w1").contains("catching up");
        assertThat(vanished.lost(List.of("r1", "r2"), 60 * S)).isEmpty();

        // caught up: it wrote r1 back; r2 is nobody's
        vanished.workersRead(List.of(worker("w1", false, 10_000L)), 61 * S);
        assertThat(vanished.waitingFor()).isNull();
        assertThat(vanished.lost(List.of("r2"), 61 * S)).containsExactly("r2");
    }

    @Test
    void aWorkerThatFellSilentIsWaitedForUntilItsFenceHasStoppedItsRuns() {
        long fence = 3_000L;
        long silence = Duration.ofMillis(fence).toNanos() + Heartbeat.TTL.toNanos();
        vanished.workersRead(List.of(worker("w1", false, fence)), 0);
        vanished.lost(List.of("r1"), 0);
        vanished.workersRead(List.of(), S); // its heartbeat is gone (Redis restarted empty, and its beats fail)
        assertThat(vanished.lost(List.of("r1"), silence - 1)).isEmpty();
        assertThat(vanished.waitingFor()).contains("w1").contains("silent");
        vanished.workersRead(List.of(), silence);
        assertThat(vanished.waitingFor()).isNull();
        assertThat(vanished.lost(List.of("r1"), silence)).containsExactly("r1");
    }

    @Test
    void aWorkerThatDoesNotSayItsFenceTimeoutIsGivenTheDefault() {
        vanished.workersRead(List.of(worker("old", null, null)), 0);
        vanished.lost(List.of("r1"), 0);
        vanished.workersRead(List.of(), DEFAULT_SILENCE - 1);
        assertThat(vanished.lost(List.of("r1"), DEFAULT_SILENCE - 1)).isEmpty();
        vanished.workersRead(List.of(), DEFAULT_SILENCE);
        assertThat(vanished.lost(List.of("r1"), DEFAULT_SILENCE)).containsExactly("r1");
    }

    @Test
    void aWorkerThatBeatsAgainIsNotWaitedForAsSilent() {
        vanished.workersRead(List.of(worker("w1", false, 10_000L)), 0);
        vanished.lost(List.of("r1"), 0);
        vanished.workersRead(List.of(), S);
        vanished.workersRead(List.of(worker("w1", false, 10_000L)), 2 * S);
        assertThat(vanished.waitingFor()).isNull();
        assertThat(vanished.lost(List.of("r1"), AFTER)).containsExactly("r1");
    }
}
