package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

import static dev.tether.testing.Hang.eventuallyAcrossProcesses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a worker does with entries it cannot run, against a real redis-server: the worker's job source
 * (as a worker process runs it) reads entries written as the submit script writes them, and entries
 * written by hand, as anyone who may XADD to a queue could.
 */
@Tag("process")
class DeadLetterTest {
    static RealRedis server;

    @BeforeAll
    static void startRedis() throws Exception {
        server = RealRedis.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        server.close();
    }

    private record Setup(String uri, Keys keys, RedisClient redis, RunStore store, RedisView view) implements AutoCloseable {
        static Setup fresh() {
            var uri = server.uri() + "?prefix=dl" + System.nanoTime();
            var redis = server.admin();
            var keys = RedisSettings.parse(uri).keys();
            return new Setup(uri, keys, redis, new RunStore(redis, keys, Duration.ofDays(1), 10_000),
                    RedisView.oneShot(RedisSettings.parse(uri), GraphCatalog.load(null), Routing.none()));
        }

        /** The job source of a worker that has only welcome-email and serves {@code queue}. */
        RedisRunSource worker(String queue, BiPredicate<String, String> someoneElseRuns) {
            var source = new RedisRunSource(redis, store, "w1", List.of(queue), Set.of("welcome-email"), someoneElseRuns, id -> null,
                    new Connectivity("test"), new WorkerStalls("w1"), () -> true,
                    id -> RedisCheckpointStore.Carried.NONE);
            source.ensureGroups();
            return source;
        }

        RunSnapshot stored(String id) {
            return store.get(id).orElseThrow();
        }

        long unread(String queue) {
            var info = redis.xinfoGroups(keys.queue(queue)).getFirst();
            return redis.xrange(keys.queue(queue), info.getLastDeliveredId() == null ? (StreamEntryID) null
                    : new StreamEntryID(info.getLastDeliveredId().getTime(), info.getLastDeliveredId().getSequence() + 1), null, 100).size();
        }

        List<Map<String, String>> deadLetters() {
            var out = new ArrayList<Map<String, String>>();
            for (var e : redis.xrange(keys.deadLetters(), (StreamEntryID) null, null, 100)) out.add(e.getFields());
            return out;
        }

        @Override
        public void close() {
            view.close();
            redis.close();
        }
    }

    /**
     * Exactly one read, its entry handled: a poll whose time is up before it begins reads once (an
     * entry already on the stream is returned at once, whatever the read's block) and returns.
     */
    private static dev.tether.engine.Job step(RedisRunSource source) throws InterruptedException {
        return source.poll(Duration.ZERO);
    }

    @Test
    void anEntryNotWrittenByItsRunsSubmitNeitherFailsNorStartsTheRun() throws Exception {
        try (var s = Setup.fresh()) {
            var victim = s.view.submit("welcome-email", "victims", Map.of("to", "a@b.c"));
            var id = victim.runId();
            var own = new HashMap<>(s.redis.xrange(s.keys.queue("victims"), (StreamEntryID) null, null, 1).getFirst().getFields());
            var crafted = new ArrayList<Map<String, String>>();
            crafted.add(Map.of("id", id, "graph", "welcome-email", "queue", "crafted", "input", "[1, 2]")); // malformed
            crafted.add(Map.of("id", id, "graph", "no-such-graph", "queue", "crafted", "input", "{}")); // no worker has its graph
            var other = new HashMap<>(own);
            other.put("queue", "crafted");
            other.put("input", "{\"to\":\"mallory@example.org\"}");
            crafted.add(other); // would start the run with someone else's input
            crafted.add(own); // the run's own fields, on another queue's stream
            for (var f : crafted) s.redis.xadd(s.keys.queue("crafted"), XAddParams.xAddParams(), f);

            var source = s.worker("crafted", (q, g) -> false);
            for (int i = 0; i < crafted.size(); i++) {
                assertThat(step(source)).as("entry " + i + " starts nothing").isNull();
            }
            assertThat(s.unread("crafted")).isZero();
            assertThat(s.deadLetters()).hasSize(crafted.size()).allMatch(f -> id.equals(f.get("id")));
            var after = s.stored(id);
            assertThat(after.status()).as("still queued, for the worker of its own queue").isEqualTo(RunStatus.QUEUED);
            assertThat(after.version()).isEqualTo(victim.version());
            assertThat(after.input()).isEqualTo(victim.input());
        }
    }

    /**
     * On a run's own queue, ahead of its own job, an entry with another input: the claim compares it with what
     * the run's submit recorded, in the same step, and the run starts from its own job only. A record written
     * before that fingerprint existed is compared by the worker itself, with the same result.
     */
    @Test
    void onItsOwnQueueARunStartsOnlyFromItsOwnJobWhetherOrNotItsRecordHasAFingerprint() throws Exception {
        try (var s = Setup.fresh()) {
            var stream = s.keys.queue("mail");
            var runs = new ArrayList<dev.tether.engine.RunRequest>();
            for (var to : List.of("a@b.c", "d@e.f")) {
                var request = new dev.tether.engine.RunRequest(dev.tether.run.RunIds.next(), "welcome-email", "mail", Map.of("to", to),
                        java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), null, null, null);
                var forged = new HashMap<>(Jobs.fields(request));
                forged.put("input", "{\"to\":\"mallory@example.org\"}");
                s.redis.xadd(stream, XAddParams.xAddParams(), forged); // ahead of the run's own job
                runs.add(request);
            }
            for (var r : runs) s.store.submit(dev.tether.run.RunStateMachine.apply(null, r.submitted()), stream, Jobs.fields(r));
            var older = runs.get(1).runId();
            assertThat(s.redis.hget(s.keys.run(runs.get(0).runId()), "f")).as("the submit's fingerprint").hasSize(40);
            s.redis.hdel(s.keys.run(older), "f"); // as a Tether before fingerprints wrote it

            var source = s.worker("mail", (q, g) -> false);
            assertThat(step(source)).as("the forged entry of the run with a fingerprint").isNull();
            assertThat(step(source)).as("the forged entry of the older record").isNull();
            for (var r : runs) {
                var job = step(source);
                assertThat(job).as("its own job").isNotNull();
                assertThat(job.request().runId()).isEqualTo(r.runId());
                assertThat(job.request().input()).isEqualTo(r.input());
                assertThat(s.stored(r.runId()).status()).isEqualTo(RunStatus.RUNNING);
                assertThat(s.stored(r.runId()).input()).isEqualTo(r.input());
            }
            assertThat(s.deadLetters()).extracting(f -> f.get("id")).containsExactly(runs.get(0).runId(), older);
            assertThat(s.deadLetters()).allSatisfy(f -> assertThat(f.get("input")).contains("mallory"));
        }
    }

    @Test
    void aJobNoLiveWorkerCanRunFailsItsOwnRunWithTheReason() throws Exception {
        try (var s = Setup.fresh()) {
            var id = s.view.submit("book-workflow", "lacking", Map.of()).runId();
            var source = s.worker("lacking", (q, g) -> false);
            assertThat(step(source)).isNull();
            var failed = s.stored(id);
            assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
            assertThat(failed.error().message()).isEqualTo("no live worker on queue 'lacking' has graph 'book-workflow'");
            assertThat(failed.startedAt()).isNull();
        }
    }

    @Test
    void aJobHandedOverAgainAndAgainWaitsTwiceAsLongEachTimeUpTo5s() throws Exception {
        try (var s = Setup.fresh()) {
            var id = s.view.submit("book-workflow", "handed", Map.of()).runId();
            var source = s.worker("handed", (q, g) -> true); // a live worker on the queue has it, but does not take it
            var due = s.keys.due("handed");

            assertThat(step(source)).isNull();
            assertThat(s.redis.zscore(due, id)).as("the first hand-over is back on the queue at once").isNull();
            assertThat(s.unread("handed")).isEqualTo(1);

            var delays = new ArrayList<Long>();
            for (int handOver = 2; handOver <= 9; handOver++) {
                long before = System.currentTimeMillis();
                assertThat(step(source)).isNull();
                long after = System.currentTimeMillis();
                var score = s.redis.zscore(due, id);
                assertThat(score).as("hand-over " + handOver + " waits aside").isNotNull();
                assertThat(s.unread("handed")).as("nothing cycles through the stream meanwhile").isZero();
                long expected = Math.min(100L << (handOver - 2), 5_000);
                assertThat(score.longValue()).as("hand-over " + handOver).isBetween(before + expected, after + expected);
                delays.add(expected);
                assertThat(s.stored(id).status()).isEqualTo(RunStatus.QUEUED);
                s.redis.zadd(due, 0, id); // fall due now: the pump, as every worker runs it, puts it back
                eventuallyAcrossProcesses().until(() -> s.store.pump(List.of("handed")) == 1);
            }
            assertThat(delays).containsExactly(100L, 200L, 400L, 800L, 1_600L, 3_200L, 5_000L, 5_000L);
            assertThat(s.deadLetters()).isEmpty();
        }
    }
}
