package dev.tether.redis;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Waiting for a run's end on a live view (what {@code cancel --wait} and the control API do), against
 * a real redis-server: the wait ends with the change that ended the run, however its registry is
 * caught in that change.
 */
class RedisAwaitTerminalTest {
    private RealRedis server;
    private RedisView view;

    @BeforeEach
    void start() throws Exception {
        server = RealRedis.start();
        view = RedisView.live(RedisSettings.parse(server.uri()), GraphCatalog.load(null), Routing.none());
    }

    @AfterEach
    void stop() throws Exception {
        view.close();
        server.close();
    }

    /**
     * The registry offers a change to its feeds under the run's lock, before {@code get} shows it: a
     * wait that took the feed's wake-up as a hint and read the registry missed the change and slept
     * out its poll (200 ms a time; here, for ever: the change is held open until the test has looked).
     */
    @Test
    void aWaitEndsWithTheChangeThatEndedTheRunEvenBeforeTheRegistryShowsIt() throws Exception {
        var queued = view.submit("welcome-email", "parked", Map.of()); // no worker takes it
        var id = queued.runId();
        var ended = RunStateMachine.apply(queued, new RunEvent.CancelRequested(id, Instant.now(), CancelRequest.DEFAULT));
        assertThat(ended.status()).isEqualTo(RunStatus.CANCELLED);

        var inTheChange = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var held = view.registry().watch(change -> { // runs inside the change, under the run's lock
            if (change.after() != null && change.after().runId().equals(id) && change.after().isTerminal()) {
                inTheChange.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        })) {
            var waited = new CompletableFuture<Optional<RunSnapshot>>();
            var waiter = Thread.ofPlatform().name("waiter").start(() -> {
                try {
                    waited.complete(view.awaitTerminal(id, Duration.ofSeconds(20)));
                } catch (Throwable e) {
                    waited.completeExceptionally(e);
                }
            });
            // The change must begin after the wait is listening: one begun before its feed was opened is
            // seen by its next look at the registry, which this test holds off.
            await().atMost(Duration.ofSeconds(10)).until(() -> waitsOnItsFeed(waiter));
            var ending = Thread.ofPlatform().start(() -> view.registry().mirror(ended));
            try {
                assertThat(inTheChange.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(view.registry().get(id).map(RunSnapshot::status)).as("still inside the change").contains(RunStatus.QUEUED);
                assertThat(waited.get(10, TimeUnit.SECONDS)).as("returned while the change is still held open").contains(ended);
            } finally {
                release.countDown();
                ending.join();
                waiter.join(Duration.ofSeconds(30));
            }
        }
        assertThat(view.registry().get(id)).contains(ended);
    }

    private static boolean waitsOnItsFeed(Thread t) {
        return t.getState() == Thread.State.TIMED_WAITING
                && java.util.Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().equals(dev.tether.registry.ChangeFeed.class.getName()));
    }
}
