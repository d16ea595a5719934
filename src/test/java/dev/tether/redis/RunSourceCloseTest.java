package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XClaimParams;
import redis.clients.jedis.params.XReadGroupParams;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.tether.testing.Hang.eventuallyAcrossProcesses;
import static org.assertj.core.api.Assertions.assertThat;

/** What a worker's job source does with the jobs it read but did not start when the worker shuts down. */
@Tag("process")
class RunSourceCloseTest {
    static RealRedis server;

    @BeforeAll
    static void startRedis() throws Exception {
        server = RealRedis.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        server.close();
    }

    /**
     * A slot still waiting for its turn to read when the worker closes takes nothing from the jobs read
     * for it: they go back to their queue for another worker, instead of being claimed only to be
     * cancelled by the shutdown.
     */
    @Test
    void aSlotWaitingItsTurnWhenTheWorkerClosesLeavesWhatWasReadForItToBeHandedBack() throws Exception {
        var settings = RedisSettings.parse(server.uri() + "?prefix=close" + System.nanoTime());
        var keys = settings.keys();
        try (var redis = server.admin(); var view = RedisView.oneShot(settings, GraphCatalog.load(null), Routing.none())) {
            var store = new RunStore(redis, keys, Duration.ofDays(1), 10_000);
            // the first slot to read stops on its turn (holding it) until the test lets it go
            var holding = new CountDownLatch(1);
            var letGo = new CountDownLatch(1);
            var readerCalls = new AtomicInteger();
            java.util.function.BooleanSupplier mayTake = () -> {
                if (Thread.currentThread().getName().equals("reader") && readerCalls.incrementAndGet() == 2) { // its turn: see next()
                    holding.countDown();
                    try {
                        letGo.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return true;
            };
            var source = new RedisRunSource(redis, store, "w1", List.of("q"), Set.of("welcome-email"), (q, g) -> false, id -> null,
                    new Connectivity("test"), new WorkerStalls("w1"), mayTake, id -> RedisCheckpointStore.Carried.NONE);
            source.ensureGroups();
            var run = view.submit("welcome-email", "q", Map.of()).runId();
            // delivered to this worker without its seeing it (a read whose reply was lost), long enough ago to be recovered
            var stream = keys.queue("q");
            var entry = redis.xreadGroup(Keys.GROUP, "w1", XReadGroupParams.xReadGroupParams().count(1),
                    Map.of(stream, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY)).getFirst().getValue().getFirst().getID();
            redis.xclaim(stream, Keys.GROUP, "w1", 0, XClaimParams.xClaimParams().idle(60_000), entry);

            var reader = Thread.ofPlatform().name("reader").start(() -> poll(source));
            holding.await();
            var taken = new AtomicReference<Object>("nothing yet");
            var waiting = Thread.ofPlatform().name("waiting").start(() -> taken.set(poll(source)));
            eventuallyAcrossProcesses().until(() -> waiting.getState() == Thread.State.TIMED_WAITING); // for its turn
            assertThat(source.recoverStranded()).as("the job, in the buffer now").isEqualTo(1);

            source.close();
            waiting.join();
            letGo.countDown();
            reader.join();

            assertThat(taken.get()).as("taken by the waiting slot after the close").isNull();
            assertThat(store.get(run).orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
            assertThat(source.releaseBuffered()).as("handed back").isEqualTo(1);
            assertThat(redis.xpending(stream, Keys.GROUP).getTotal()).as("pending on nobody").isZero();
            var again = redis.xreadGroup(Keys.GROUP, "w2", XReadGroupParams.xReadGroupParams().count(10),
                    Map.of(stream, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
            assertThat(again.getFirst().getValue()).as("on its queue again, for the next worker")
                    .extracting(e -> e.getFields().get("id")).containsExactly(run);
        }
    }

    private static dev.tether.engine.Job poll(RedisRunSource source) {
        try {
            return source.poll(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
