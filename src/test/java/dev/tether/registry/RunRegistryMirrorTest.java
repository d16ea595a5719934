package dev.tether.registry;

import dev.tether.run.RunEvent;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A registry that mirrors runs executed elsewhere takes newer snapshots only, and never leaves a terminal state. */
class RunRegistryMirrorTest {
    private final RunRegistry origin = new RunRegistry();
    private final RunRegistry mirror = new RunRegistry();

    @Test
    void newerVersionsReplaceOlderOnesAndStaleOnesAreIgnored() {
        var queued = origin.apply(new RunEvent.Submitted("r", "g", "q", Map.of(), Instant.now())).current();
        var running = origin.apply(new RunEvent.Started("r", "w", Instant.now())).current();

        assertThat(mirror.mirror(queued)).isTrue();
        assertThat(mirror.mirror(running)).isTrue();
        assertThat(mirror.mirror(queued)).isFalse();
        assertThat(mirror.get("r").orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void aTerminalSnapshotIsFinalEvenAgainstAHigherVersion() {
        origin.apply(new RunEvent.Submitted("r", "g", "q", Map.of(), Instant.now()));
        var cancelled = origin.apply(new RunEvent.CancelRequested("r", Instant.now())).current();
        var other = new RunRegistry();
        other.apply(new RunEvent.Submitted("r", "g", "q", Map.of(), Instant.now()));
        other.apply(new RunEvent.Started("r", "w", Instant.now()));
        var runningV3 = other.apply(new RunEvent.NodeStarted("r", "n", Instant.now())).current();

        mirror.mirror(cancelled);
        assertThat(mirror.mirror(runningV3)).isFalse();
        assertThat(mirror.get("r").orElseThrow().status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(mirror.finished()).hasSize(1);
    }

    @Test
    void mirroredChangesReachFeeds() {
        var feed = mirror.openFeed();
        mirror.mirror(origin.apply(new RunEvent.Submitted("r", "g", "q", Map.of(), Instant.now())).current());
        assertThat(feed.drain()).extracting(s -> s.runId()).containsExactly("r");
    }

    @Test
    void aBrokenSnapshotNeverGetsIn() {
        var feed = mirror.openFeed();
        var broken = new dev.tether.run.RunSnapshot("r", "g", "q", null, null, null, 0, Instant.now(), null, null, null, null,
                null, Map.of(), java.util.List.of(), 7, false, null, null);
        assertThat(mirror.mirror(broken)).isFalse();
        assertThat(mirror.mirror(null)).isFalse();
        assertThat(mirror.get("r")).isEmpty();
        assertThat(feed.drain()).as("no reader ever sees it").isEmpty();
    }
}
