package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Protocol;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server that is a replica for a moment (a failover done by hand, a master demoted and promoted
 * again) refuses writes with READONLY: a view's submit and cancel made meanwhile wait for it, as they
 * wait for a server that does not answer, and go through once it takes writes again; one that stays a
 * replica is, after that wait, a refusal named by Redis's own error. Redis 6.2 wraps the refusal a
 * script meets; Redis 7 appends where the script met it: both are checked.
 */
class ReplicaForAMomentTest {
    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void aSubmitAndACancelMadeWhileTheServerIsAReplicaGoThroughOnceItIsAMasterAgain(String binary) throws Exception {
        try (var server = RealRedis.startVersion(binary);
             var admin = server.admin();
             var view = RedisView.oneShot(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none())) {
            var parked = view.submit("welcome-email", "nobody-serves", Map.of()).runId();

            admin.sendCommand(Protocol.Command.REPLICAOF, "127.0.0.1", "1"); // a master nobody serves: the data stays, writes are refused
            var submit = CompletableFuture.supplyAsync(() -> view.submit("welcome-email", "nobody-serves", Map.of()));
            var cancel = CompletableFuture.supplyAsync(() -> view.cancel(parked));
            Thread.sleep(1_000); // both have met READONLY by now, more than once
            assertThat(submit).as("waits while writes are refused").isNotDone();
            assertThat(cancel).as("waits while writes are refused").isNotDone();
            admin.sendCommand(Protocol.Command.REPLICAOF, "NO", "ONE");

            var submitted = submit.get(RedisSettings.POOL_WAIT.toSeconds() * 2, TimeUnit.SECONDS);
            assertThat(cancel.get(RedisSettings.POOL_WAIT.toSeconds() * 2, TimeUnit.SECONDS)).isEqualTo(dev.tether.run.CancelOutcome.CANCELLED_BEFORE_START);
            var store = new RunStore(admin, Keys.standard(), java.time.Duration.ofDays(1), 10_000);
            assertThat(store.get(submitted.runId()).orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
            assertThat(store.get(parked).orElseThrow().status()).isEqualTo(RunStatus.CANCELLED);
        }
    }

    @ParameterizedTest(name = "Redis {0}")
    @ValueSource(strings = {RealRedis.EMBEDDED, RealRedis.SYSTEM_BINARY})
    void aSubmitToAServerThatStaysAReplicaIsRefusedInRedissOwnWordsAfterItsWait(String binary) throws Exception {
        try (var server = RealRedis.startVersion(binary); var admin = server.admin()) {
            admin.sendCommand(Protocol.Command.REPLICAOF, "127.0.0.1", "1");
            long started = System.nanoTime();
            var cli = CliRun.of(Map.of(), "submit", "--redis", server.uri(), "welcome-email");
            assertThat(cli.err().strip()).isEqualTo("tether: Redis at " + server.uri() + " refuses: READONLY You can't write against a read only replica.");
            assertThat(cli.exit()).isEqualTo(1);
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).as("waited for it first").isGreaterThanOrEqualTo(RedisSettings.POOL_WAIT);
            assertThat(admin.keys("tether:run:*")).as("nothing written").isEmpty();
        }
    }
}
