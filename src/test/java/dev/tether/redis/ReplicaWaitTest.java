package dev.tether.redis;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * A run's end is what a failover must not lose: a worker forgets an end once recorded, so on a
     * promoted replica that lacks it the run would stay RUNNING until the stranded-job recovery found
     * it. With {@code ?replicas=1} the end counts only once the replica confirms it; while the replica
     * is away, the worker says it could not record it and tries again until it can.
     */
    @Test
    void aRunsEndCountsOnlyOnceAReplicaConfirmsItAndIsTriedAgainUntilOneDoes() throws Exception {
        var dir = Files.createDirectories(Path.of("target", "redis-workers"));
        var log = Files.createTempFile(dir, "end-wait", ".log");
        var gate = dir.resolve("end-wait-" + System.nanoTime() + ".gate");
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new CountingGraph());
        try (var master = RealRedis.start();
             var replica = RealRedis.start("replicaof 127.0.0.1 " + master.port);
             var view = RedisView.live(RedisSettings.parse(master.uri()), GraphCatalog.of(graphs), Routing.none());
             var worker = WorkerProcess.start(master.uri() + "?replicas=1", "careful-2", "mail", 1)) {
            var id = view.submit("counted", "mail", Map.of("log", log.toString(), "tag", "e", "holdAt", "n5", "gate", gate.toString())).runId();
            eventuallyAcrossProcesses().until(() -> view.registry().get(id).map(r -> "n5".equals(r.currentNode())).orElse(false));

            try (var r = replica.admin()) { // the replica leaves (at once: no timing), then the node ends
                r.sendCommand(redis.clients.jedis.Protocol.Command.REPLICAOF, "NO", "ONE");
            }
            Files.createFile(gate);
            eventuallyAcrossProcesses().until(() -> Files.readString(worker.log)
                    .contains("could not record the end of run " + id + " yet (Redis did not confirm finish.lua on 1 replica"));
            // published by the master all the same: what the replicas lack, a view may already show
            eventuallyAcrossProcesses().until(() -> view.registry().get(id).map(r -> r.status() == RunStatus.COMPLETED).orElse(false));
            try (var r = replica.admin()) { // it follows the master again and catches up
                r.sendCommand(redis.clients.jedis.Protocol.Command.REPLICAOF, "127.0.0.1", Integer.toString(master.port));
            }

            eventuallyAcrossProcesses().until(() -> { // tried again, confirmed: the replica holds the end
                try (var r = replica.admin()) {
                    var stored = RunStore.parse(id, r.hget(Keys.standard().run(id), "j"));
                    return stored != null && stored.status() == RunStatus.COMPLETED;
                }
            });
            assertThat(view.run(id).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(CountingGraph.read(log).get("e")).as("each node once").hasSize(CountingGraph.NODES.size());
            RedisAccounting.assertNothingPending(master, List.of("mail"), List.of("careful-2"));
        }
    }

    @Test
    void aRunWhoseClaimNoReplicaConfirmsStartsOnlyOnceAReplicaDoes() throws Exception {
        try (var master = RealRedis.start();
             var view = RedisView.live(RedisSettings.parse(master.uri()), GraphCatalog.load(null), Routing.none());
             var worker = WorkerProcess.start(master.uri() + "?replicas=1", "careful-1", "mail", 2)) {
            var id = view.submit("welcome-email", "mail", Map.of("nodeMillis", 0)).runId();
            // the worker claims it again and again; none is confirmed, so none starts it
            eventuallyAcrossProcesses().until(() -> Files.readString(worker.log).contains("did not confirm claim.lua on 1 replica"));
            var waiting = view.run(id).orElseThrow();
            assertThat(waiting.status()).isEqualTo(RunStatus.RUNNING); // claimed in Redis (observers see it taken) ...
            assertThat(waiting.currentNode()).as("... but no node started").isNull();
            assertThat(waiting.steps()).isZero();

            try (var replica = RealRedis.start("replicaof 127.0.0.1 " + master.port)) {
                eventuallyAcrossProcesses().until(() -> view.registry().get(id).map(RunSnapshot::status).orElse(null) == RunStatus.COMPLETED);
                assertThat(view.run(id).orElseThrow().steps()).isPositive();
            }
            // one cause, one line: said where the worker's contact with Redis is judged, not again by the take loop
            assertThat(Files.readAllLines(worker.log).stream().filter(l -> l.contains("did not confirm claim.lua")))
                    .as("the unconfirmed claims, said once (the spell was shorter than a minute)").hasSize(1);
        }
    }
}
