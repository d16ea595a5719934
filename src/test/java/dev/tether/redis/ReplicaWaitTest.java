package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.tether.testing.Hang.eventuallyAcrossProcesses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code ?replicas=N} against real processes: a write others rely on counts only once N replicas
 * confirm it. A submit nobody confirms is reported, not silently kept; a run whose claim nobody
 * confirms never starts, and starts once a replica is there to confirm it.
 */
@Tag("process")
class ReplicaWaitTest {

    @Test
    void aSubmitNoReplicaConfirmsIsReportedAsMaybeNotKept() throws Exception {
        try (var master = RealRedis.start();
             var view = RedisView.oneShot(RedisSettings.parse(master.uri() + "?replicas=1"), GraphCatalog.load(null), Routing.none())) {
            assertThatThrownBy(() -> view.submit("welcome-email", "mail", Map.of()))
                    .isInstanceOf(NotReplicatedException.class).isInstanceOf(RedisUnavailableException.class)
                    .hasMessageContaining("did not confirm submit.lua on 1 replica").hasMessageContaining("may or may not");
        }
    }

    @Test
    void aRunWhoseClaimNoReplicaConfirmsStartsOnlyOnceAReplicaDoes() throws Exception {
        try (var master = RealRedis.start();
             var view = RedisView.live(RedisSettings.parse(master.uri()), GraphCatalog.load(null), Routing.none());
             var worker = WorkerProcess.start(master.uri() + "?replicas=1", "careful-1", "mail", 2)) {
            var id = view.submit("welcome-email", "mail", Map.of("nodeMillis", 0)).runId();
            // the worker claims it again and again; none is confirmed, so none starts it
            eventuallyAcrossProcesses().until(() -> java.nio.file.Files.readString(worker.log).contains("NotReplicatedException"));
            var waiting = view.run(id).orElseThrow();
            assertThat(waiting.status()).isEqualTo(RunStatus.RUNNING); // claimed in Redis (observers see it taken) ...
            assertThat(waiting.currentNode()).as("... but no node started").isNull();
            assertThat(waiting.steps()).isZero();

            try (var replica = RealRedis.start("replicaof 127.0.0.1 " + master.port)) {
                eventuallyAcrossProcesses().until(() -> view.registry().get(id).map(RunSnapshot::status).orElse(null) == RunStatus.COMPLETED);
                assertThat(view.run(id).orElseThrow().steps()).isPositive();
            }
        }
    }
}
