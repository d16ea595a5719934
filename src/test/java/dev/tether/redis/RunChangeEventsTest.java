package dev.tether.redis;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunEvent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.tether.testing.Hang.eventuallyAcrossProcesses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The events channel carries what changed in a run whose writer knows the version before (a worker's
 * progress and ends, a queued run's cancel), not the whole run again; a view applies each onto the
 * version it was made from and so holds exactly what Redis holds. A change for a version the view
 * does not hold makes it read the record.
 */
@Tag("process")
class RunChangeEventsTest {

    @Test
    void aWorkersProgressAndEndsReachAViewAsChangesAndTheViewHoldsWhatRedisHolds() throws Exception {
        var dir = Files.createDirectories(Path.of("target", "redis-workers"));
        var log = Files.createTempFile(dir, "changes", ".log");
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new CountingGraph());
        try (var redis = RealRedis.start();
             var admin = redis.admin();
             var channel = Published.on(redis, Keys.standard().events());
             var view = RedisView.live(RedisSettings.parse(redis.uri()), GraphCatalog.of(graphs), Routing.none());
             var worker = WorkerProcess.start(redis.uri(), "changes-1", "mail", 4)) {
            var ids = new ArrayList<String>();
            for (int i = 0; i < 24; i++) {
                ids.add(view.submit("counted", "mail", Map.of("log", log.toString(), "tag", "c" + i, "nodeMillis", 60 + 20 * (i % 4))).runId());
            }
            // some cancelled on their worker mid-way, some while still queued (read-apply-write by the view)
            for (int i = 0; i < ids.size(); i += 5) view.cancel(ids.get(i), CancelRequest.by(dev.tether.run.CancelOrigin.CLI));
            var store = new RunStore(admin, Keys.standard(), Duration.ofDays(1), 10_000);
            eventuallyAcrossProcesses().until(() -> ids.stream().allMatch(id -> store.get(id).map(RunSnapshot::isTerminal).orElse(false)));
            // the view converges on every record as Redis holds it, field for field
            eventuallyAcrossProcesses().until(() -> ids.stream().allMatch(id -> view.registry().get(id).equals(store.get(id))));

            var changes = channel.messages.stream().filter(RunChange::isChange).map(RunChange::parse).toList();
            var endsAsChanges = changes.stream().filter(c -> c.path("set").has("endedAt")).map(RunChange::runId).distinct().count();
            assertThat(endsAsChanges).as("runs whose end was sent as a change, of %d", ids.size()).isGreaterThanOrEqualTo(ids.size() / 2);
            assertThat(changes.stream().filter(c -> c.has("spans"))).as("progress sent as new spans").isNotEmpty();
            for (var c : changes) {
                assertThat(c.has("timeline")).isFalse();
                assertThat(c.path("set").has("input")).as("unchanged fields are not sent again").isFalse();
            }
        }
    }

    @Test
    void aChangeForAVersionTheViewDoesNotHoldMakesItReadTheRecord() throws Exception {
        try (var redis = RealRedis.start();
             var admin = redis.admin();
             var view = RedisView.live(RedisSettings.parse(redis.uri()), GraphCatalog.load(null), Routing.none())) {
            var keys = Keys.standard();
            var store = new RunStore(admin, keys, Duration.ofDays(1), 10_000);
            // a run the view never heard of: written without a message (as if its messages were lost)
            var id = dev.tether.run.RunIds.next();
            var queued = RunStateMachine.apply(null, new RunEvent.Submitted(id, "welcome-email", "mail", Map.of(), Instant.now()));
            var running = RunStateMachine.apply(queued, new RunEvent.Started(id, "w1", Instant.now()));
            var node = RunStateMachine.apply(running, new RunEvent.NodeStarted(id, "send", Instant.now()));
            admin.hset(keys.run(id), Map.of("v", Long.toString(node.version()), "t", "0", "w", "w1", "j", dev.tether.json.Json.write(node)));
            assertThat(view.registry().get(id)).isEmpty();

            // a change from a version it does not hold: it cannot be applied, so the view reads the record
            admin.publish(keys.events(), RunChange.between(running, node));
            eventuallyAcrossProcesses().until(() -> view.registry().get(id).equals(Optional.of(node)));

            // one it can apply: from the version it now holds
            var next = RunStateMachine.apply(node, new RunEvent.NodeFinished(id, "send", true, Instant.now()));
            admin.publish(keys.events(), RunChange.between(node, next));
            eventuallyAcrossProcesses().until(() -> view.registry().get(id).equals(Optional.of(next)));
            // a malformed one is skipped; what follows still applies
            admin.publish(keys.events(), "{\"runId\":\"" + id + "\",\"base\":" + next.version() + ",\"set\":{\"version\":\"x\"}}");
            var end = RunStateMachine.apply(next, new RunEvent.Completed(id, Instant.now()));
            admin.publish(keys.events(), RunChange.between(next, end));
            eventuallyAcrossProcesses().until(() -> view.registry().get(id).equals(Optional.of(end)));
            assertThat(store.get(id)).contains(node); // the view only read: Redis holds what it held
        }
    }
}
