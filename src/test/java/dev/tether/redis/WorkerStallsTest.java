package dev.tether.redis;

import dev.tether.testing.Hang;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A worker that cannot make progress says so, in its log and in its heartbeat, and says when it works again. */
@org.junit.jupiter.api.Tag("process")
class WorkerStallsTest {

    @Test
    void aWorkerThatCannotTakeJobsSaysSoInItsHeartbeatAndItsLogUntilItCanAgain() throws Exception {
        try (var server = RealRedis.start()) {
            try (var admin = server.admin()) {
                MinimalAcl.create(admin, "picker", "picker-pw");
            }
            var log = Files.createTempFile(Files.createDirectories(Path.of("target", "redis-workers")), "stalls", ".log");
            var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
            graphs.add(new CountingGraph());
            try (var worker = WorkerProcess.start(List.of(), Map.of("TETHER_LOG_LEVEL", "INFO"),
                    "redis://picker:picker-pw@127.0.0.1:" + server.port, "picker-1", "picks", 1);
                 var view = RedisView.live(RedisSettings.parse(server.uri()), GraphCatalog.of(graphs), Routing.none())) {
                await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.workers().stream()
                        .anyMatch(w -> w.name().equals("picker-1") && w.problems() != null));

                try (var admin = server.admin()) { // its heartbeat still gets through; reading jobs does not
                    MinimalAcl.createWithout(admin, "picker", "picker-pw", "xreadgroup");
                }
                await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.workers().stream()
                        .anyMatch(w -> w.name().equals("picker-1") && w.stalled()
                                && String.join(" ", w.problems()).contains("taking jobs failing")
                                && String.join(" ", w.problems()).contains("NOPERM")));
                // Submitted only now: a read already blocked when the right went would still have taken it.
                var id = view.submit("counted", "picks", Map.of("log", log.toString(), "tag", "p1")).runId();
                await().during(2, TimeUnit.SECONDS).atMost(Hang.ACROSS_PROCESSES)
                        .until(() -> view.registry().get(id).map(RunSnapshot::status).orElse(null) == RunStatus.QUEUED);

                try (var admin = server.admin()) {
                    MinimalAcl.create(admin, "picker", "picker-pw");
                }
                await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.registry().get(id).map(RunSnapshot::status).orElse(null) == RunStatus.COMPLETED);
                await().atMost(Hang.ACROSS_PROCESSES).until(() -> view.workers().stream() // (other problems may come and go under load)
                        .anyMatch(w -> w.name().equals("picker-1") && w.problems() != null
                                && w.problems().stream().noneMatch(p -> p.contains("taking jobs"))));
                assertThat(worker.output()).contains("worker 'picker-1' cannot make progress: taking jobs failing for")
                        .contains("worker 'picker-1': taking jobs works again");
                RedisAccounting.assertNothingPending(server, List.of("picks"), List.of("picker-1"));
            }
        }
    }
}
