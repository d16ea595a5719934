package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import org.bsc.langgraph4j.checkpoint.Checkpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The run ids index: a one-shot view finds a run by a part of its id, and a run's attempts, through
 * it (never through a mirror); the index follows the records (pruned once they are gone), and runs an
 * older Tether wrote are found by their full id, then by their short id once the admin step ran.
 */
class RunIndexTest {
    private RealRedis server;
    private RedisClient admin;
    private RunStore store;
    private final Keys keys = Keys.standard();

    @BeforeEach
    void start() throws Exception {
        server = RealRedis.start();
        admin = server.admin();
        store = new RunStore(admin, keys, Duration.ofDays(1), 10_000);
    }

    @AfterEach
    void stop() throws Exception {
        admin.close();
        server.close();
    }

    private RedisView oneShot() {
        return RedisView.oneShot(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none());
    }

    @Test
    void aOneShotViewFindsARunByItsShortIdItsStartOrItsFullIdAndMirrorsNothing() {
        var run = queue();
        try (var view = oneShot()) {
            assertThat(view.registry().size()).as("nothing mirrored").isZero();
            assertThat(view.find(run.shortId()).map(RunSnapshot::runId)).contains(run.runId());
            assertThat(view.find(run.runId().substring(0, 13)).map(RunSnapshot::runId)).contains(run.runId());
            assertThat(view.find(run.runId()).map(RunSnapshot::runId)).contains(run.runId());
            assertThat(view.find("0123abcd")).isEmpty();
        }
    }

    @Test
    void aPartThatNamesTwoRunsIsAmbiguous() {
        var first = queue();
        var second = queue(); // submitted in the same minute: their ids start alike
        var common = first.runId().substring(0, 8);
        assertThat(second.runId()).startsWith(common);
        try (var view = oneShot()) {
            assertThatThrownBy(() -> view.find(common)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ambiguous");
        }
    }

    @Test
    void aRunAnOlderTetherWroteIsFoundByItsFullIdThenByItsShortIdOnceTheAdminStepIndexedIt() {
        var old = RunStateMachine.apply(null, request().submitted());
        // as a Tether without the index wrote it: the record and the active set, no index entry
        admin.hset(keys.run(old.runId()), Map.of("v", "1", "t", "0", "w", "", "j", dev.tether.json.Json.write(old)));
        admin.sadd(keys.active(), old.runId());
        try (var view = oneShot()) {
            assertThat(view.find(old.runId()).map(RunSnapshot::runId)).contains(old.runId());
            assertThat(view.find(old.shortId())).isEmpty();
        }

        RedisSetup.run(admin, keys, null);

        try (var view = oneShot()) {
            assertThat(view.find(old.shortId()).map(RunSnapshot::runId)).contains(old.runId());
        }
    }

    @Test
    void aRunAnOlderTetherWroteIsIndexedByItsNextWriteOnceInBothIndexes() {
        var old = RunStateMachine.apply(null, request().submitted());
        // as a Tether without the indexes wrote it, then listed by the admin step: in the live index, not in the run ids index
        admin.hset(keys.run(old.runId()), Map.of("v", "1", "t", "0", "w", "", "j", dev.tether.json.Json.write(old)));
        admin.sadd(keys.active(), old.runId());
        admin.zadd(keys.live(), Map.of("a:" + old.runId() + ":QUEUED::nobody:welcome-email", 0.0));

        var running = RunStateMachine.apply(old, new RunEvent.Started(old.runId(), "w1", Instant.now()));
        assertThat(store.put(running)).isEqualTo(RunStore.Put.ACCEPTED);

        try (var view = oneShot()) {
            assertThat(view.find(old.shortId()).map(RunSnapshot::runId)).contains(old.runId());
        }
        assertThat(admin.zrange(keys.live(), 0, -1)).as("the older entry replaced, not kept beside the new one")
                .containsExactlyInAnyOrderElementsOf(LiveScan.members(old.runId(), "RUNNING:w1:nobody:welcome-email"));
    }

    @Test
    void everyWriteThatCreatesARecordIndexesItARetryAndALostWorkersRunsToo() {
        var written = RunStateMachine.apply(null, request().submitted());
        store.put(written); // a worker writing back a run whose record Redis lost

        assertThat(admin.zscore(keys.ids(), "f:" + written.runId())).isZero();
        assertThat(admin.zscore(keys.ids(), "r:" + new StringBuilder(written.runId()).reverse())).isZero();
    }

    @Test
    void theAttemptsOfARunAreFoundBackAlongResumeOfAndForwardThroughTheIndex() {
        var first = ended();
        RunSnapshot second;
        try (var view = oneShot()) {
            second = view.resume(first.runId(), null);
        }
        try (var view = oneShot()) {
            assertThat(view.attempts(first.runId())).extracting(RunSnapshot::runId).containsExactly(first.runId(), second.runId());
            assertThat(view.attempts(second.runId())).extracting(RunSnapshot::runId).containsExactly(first.runId(), second.runId());
        }
    }

    @Test
    void pruningRemovesTheEntriesOfRunsWhoseRecordIsGoneABoundedBatchAPass() {
        var kept = new ArrayList<RunSnapshot>();
        var gone = new ArrayList<RunSnapshot>();
        for (int i = 0; i < RunIndex.PRUNE_BATCH + 50; i++) (i % 2 == 0 ? kept : gone).add(queue());
        var first = ended();
        RunSnapshot resume;
        try (var view = oneShot()) {
            resume = view.resume(first.runId(), null);
        }
        gone.add(first);
        for (var r : gone) admin.del(keys.run(r.runId())); // expired, or lost with Redis' data
        var index = new RunIndex(admin, keys);

        long pruned = index.prune();
        assertThat(pruned).as("one pass checks one batch").isLessThanOrEqualTo(RunIndex.PRUNE_BATCH).isPositive();
        pruned += index.prune();
        pruned += index.prune(); // round and round: a pass after the end starts again
        assertThat(pruned).isEqualTo(gone.size());

        var members = admin.zrange(keys.ids(), 0, -1);
        for (var r : gone) assertThat(members).doesNotContain("f:" + r.runId(), "r:" + new StringBuilder(r.runId()).reverse());
        assertThat(members).as("the resume link of a run that is gone").noneMatch(m -> m.startsWith("s:" + first.runId()));
        for (var r : kept) assertThat(members).contains("f:" + r.runId(), "r:" + new StringBuilder(r.runId()).reverse());
        assertThat(members).contains("f:" + resume.runId());
    }

    private dev.tether.engine.RunRequest request() {
        return new dev.tether.engine.RunRequest(RunIds.next(), "welcome-email", "nobody", Map.of("name", "x"),
                Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null, null);
    }

    private RunSnapshot queue() {
        var request = request();
        var queued = RunStateMachine.apply(null, request.submitted());
        store.submit(queued, keys.queue("nobody"), Jobs.fields(request));
        return queued;
    }

    /** A cancelled run with a checkpoint: it can be resumed. */
    private RunSnapshot ended() {
        var run = queue();
        var cancelled = store.updateQueued(run.runId(), new RunEvent.CancelRequested(run.runId(), Instant.now(), CancelRequest.DEFAULT)).orElseThrow();
        var checkpoint = Checkpoint.builder().id("c1").nodeId("render").nextNodeId("send").state(Map.of("name", "x")).build();
        admin.rpush(keys.checkpoints(run.runId()), RedisCheckpointStore.entry(checkpoint, Instant.now()));
        return cancelled;
    }
}
