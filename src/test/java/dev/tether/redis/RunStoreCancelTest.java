package dev.tether.redis;

import dev.tether.run.CancelOrigin;
import dev.tether.run.CancelOutcome;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cancel request as one {@link RunStore} operation, against a real redis-server: what it finds, what
 * it writes (the durable record, never weakened; a queued run's end with it), and what it leaves alone.
 */
class RunStoreCancelTest {
    private RealRedis server;
    private RedisClient redis;
    private RunStore store;
    private CancelRequests records;
    private final Keys keys = Keys.standard();

    @BeforeEach
    void start() throws Exception {
        server = RealRedis.start();
        redis = server.admin();
        RedisSetup.run(redis, keys, null);
        store = new RunStore(redis, keys, Duration.ofDays(1), 10_000);
        records = new CancelRequests(redis, keys);
    }

    @AfterEach
    void stop() throws Exception {
        redis.close();
        server.close();
    }

    private RunSnapshot queued() {
        var request = new dev.tether.engine.RunRequest(RunIds.next(), "welcome-email", "parked", Map.of(),
                Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null, null);
        var queued = RunStateMachine.apply(null, request.submitted());
        store.submit(queued, keys.queue("parked"), Jobs.fields(request));
        return queued;
    }

    /** As a worker writes it: claimed, then running its first node. */
    private RunSnapshot running(RunSnapshot queued) {
        var running = RunStateMachine.apply(queued, new RunEvent.Started(queued.runId(), "w1", Instant.now()));
        store.put(running);
        return running;
    }

    @Test
    void aQueuedRunEndsCancelledBeforeItStartsWithItsRecordSet() throws Exception {
        var run = queued();
        RunStore.Stop stop;
        try (var monitor = Monitor.of(server, redis)) {
            stop = store.cancel(run.runId(), CancelRequest.by(CancelOrigin.CLI), records);
            assertThat(monitor.commandsSent()).as("two round trips: the script's read, then the record, its publish and the run's end")
                    .containsExactly("EVALSHA " + Script.CANCEL.sha(), "SET " + keys.cancel(run.runId()), "PUBLISH " + keys.cancels(),
                            "EVALSHA " + Script.UPDATE.sha());
        }

        assertThat(stop.outcome()).isEqualTo(CancelOutcome.CANCELLED_BEFORE_START);
        assertThat(stop.run().status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(store.get(run.runId()).orElseThrow()).isEqualTo(stop.run());
        assertThat(redis.sismember(keys.active(), run.runId())).isFalse();
        assertThat(redis.get(keys.cancel(run.runId()))).isEqualTo("cancel cli interrupt");
        assertThat(redis.pttl(keys.cancel(run.runId()))).isBetween(1L, CancelRequests.KEEP.toMillis());
    }

    @Test
    void aRunningRunGetsTheRecordItsWorkerActsOnAndItsStateIsLeftToThatWorker() {
        var run = running(queued());
        var stop = store.cancel(run.runId(), CancelRequest.of(StopLevel.KILL), records);

        assertThat(stop.outcome()).isEqualTo(CancelOutcome.CANCELLING);
        assertThat(store.get(run.runId()).orElseThrow().version()).as("not written here").isEqualTo(run.version());
        assertThat(redis.get(keys.cancel(run.runId()))).isEqualTo("kill - interrupt");
        assertThat(store.cancel(run.runId(), CancelRequest.DEFAULT, records).outcome()).isEqualTo(CancelOutcome.CANCELLING);
        assertThat(redis.get(keys.cancel(run.runId()))).as("a weaker request never weakens the record").isEqualTo("kill - interrupt");
    }

    @Test
    void aRunningRunIsCancelledInOneCommandThatRecordsAndPublishes() throws Exception {
        var run = running(queued());
        try (var cancels = Published.on(server, keys.cancels()); var monitor = Monitor.of(server, redis)) {
            var stop = store.cancel(run.runId(), CancelRequest.of(StopLevel.KILL).withOrigin(CancelOrigin.CONSOLE), records);

            assertThat(stop.outcome()).isEqualTo(CancelOutcome.CANCELLING);
            assertThat(stop.run()).isEqualTo(run);
            assertThat(monitor.commandsSent()).as("one round trip: the read, the record and the publish in one script")
                    .containsExactly("EVALSHA " + Script.CANCEL.sha());
            assertThat(redis.get(keys.cancel(run.runId()))).isEqualTo("kill console interrupt");
            assertThat(redis.pttl(keys.cancel(run.runId()))).isBetween(1L, CancelRequests.KEEP.toMillis());
            assertThat(cancels.next()).isEqualTo(run.runId() + " kill console interrupt");
        }
    }

    @Test
    void aRecordAlreadySetIsWeighedInJavaAndAStrongerRequestEscalatesIt() throws Exception {
        var run = running(queued());
        redis.set(keys.cancel(run.runId()), "after-node cli interrupt");
        try (var cancels = Published.on(server, keys.cancels()); var monitor = Monitor.of(server, redis)) {
            assertThat(store.cancel(run.runId(), CancelRequest.of(StopLevel.KILL).withOrigin(CancelOrigin.API), records).outcome())
                    .isEqualTo(CancelOutcome.CANCELLING);
            assertThat(monitor.commandsSent()).as("the script read the record and left it; then the record and its publish")
                    .containsExactly("EVALSHA " + Script.CANCEL.sha(), "SET " + keys.cancel(run.runId()), "PUBLISH " + keys.cancels());
            assertThat(redis.get(keys.cancel(run.runId()))).isEqualTo("kill api interrupt");
            assertThat(cancels.next()).isEqualTo(run.runId() + " kill api interrupt");
        }
    }

    @Test
    void aUserWhoseRulesPredateTheScriptCancelsInTwoRoundTrips() throws Exception {
        // rules written before cancel.lua existed: every command but loading scripts; the script cache emptied
        redis.sendCommand(Protocol.Command.ACL, "SETUSER", "older", "on", ">older-pw", "~*", "&*", "+@all", "-script");
        redis.scriptFlush();
        var run = running(queued());
        try (var older = RedisClient.builder().hostAndPort("127.0.0.1", server.port)
                .clientConfig(DefaultJedisClientConfig.builder().user("older").password("older-pw").build()).build();
             var cancels = Published.on(server, keys.cancels())) {
            var olderStore = new RunStore(older, keys, Duration.ofDays(1), 10_000);
            var stop = olderStore.cancel(run.runId(), CancelRequest.DEFAULT, new CancelRequests(older, keys));

            assertThat(stop.outcome()).isEqualTo(CancelOutcome.CANCELLING);
            assertThat(redis.get(keys.cancel(run.runId()))).isEqualTo("cancel - interrupt");
            assertThat(cancels.next()).isEqualTo(run.runId() + " cancel - interrupt");
        }
    }

    @Test
    void anUnreadableRecordIsNotCancelledAndGetsNoRecord() {
        var id = RunIds.next();
        redis.hset(keys.run(id), Map.of("v", "3", "t", "0", "j", "{\"runId\":\"" + id + "\",\"status\":\"RUNNING\",\"version\":"));
        assertThat(store.cancel(id, CancelRequest.DEFAULT, records).outcome()).as("its head says RUNNING, but it does not parse")
                .isEqualTo(CancelOutcome.UNKNOWN_RUN);
        assertThat(redis.exists(keys.cancel(id))).isFalse();
    }

    @Test
    void aRunAlreadyCancellingOrEndedOrUnknownIsSaidSoAndAnEndedOneGetsNoRecord() {
        var cancelling = running(queued());
        var asked = RunStateMachine.apply(cancelling, new RunEvent.CancelRequested(cancelling.runId(), Instant.now()));
        store.put(asked);
        assertThat(store.cancel(asked.runId(), CancelRequest.DEFAULT, records).outcome()).isEqualTo(CancelOutcome.ALREADY_CANCELLING);

        var ended = RunStateMachine.apply(asked, new RunEvent.Cancelled(asked.runId(), "n", Instant.now()));
        store.put(ended);
        redis.del(keys.cancel(ended.runId()));
        var stop = store.cancel(ended.runId(), CancelRequest.DEFAULT, records);
        assertThat(stop.outcome()).isEqualTo(CancelOutcome.ALREADY_FINISHED);
        assertThat(stop.run().status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(redis.exists(keys.cancel(ended.runId()))).isFalse();

        var unknown = store.cancel(RunIds.next(), CancelRequest.DEFAULT, records);
        assertThat(unknown.outcome()).isEqualTo(CancelOutcome.UNKNOWN_RUN);
        assertThat(unknown.run()).isNull();
    }

    @Test
    void aQueuedRunIsCancelledEvenWhenRedisHasForgottenTheScripts() {
        // SCRIPT FLUSH: the write sent with the record is refused (NOSCRIPT); the cancel is applied again, loading the script
        var run = queued();
        redis.scriptFlush();
        var stop = store.cancel(run.runId(), CancelRequest.DEFAULT, records);
        assertThat(stop.outcome()).isEqualTo(CancelOutcome.CANCELLED_BEFORE_START);
        assertThat(store.get(run.runId()).orElseThrow().status()).isEqualTo(RunStatus.CANCELLED);
    }
}
