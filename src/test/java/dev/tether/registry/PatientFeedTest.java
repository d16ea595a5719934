package dev.tether.registry;

import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.testing.Hang;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A patient feed (a worker's subscription to its registry): the changes its test names wake the reader
 * at once, whatever its patience; the others wait, gathered, until its patience has passed since the
 * reader saw the first of them; and none is ever left behind, however offers and the reader's waits
 * interleave. Each "not yet" below is a lower bound (a slow machine only makes it easier); each wake-up
 * is awaited for a long time where the wrong behaviour would wait an hour.
 */
class PatientFeedTest {
    private static final Instant T = Instant.now();
    private static final Duration HOUR = Duration.ofHours(1);

    private static boolean cancelling(RunSnapshot s) {
        return s.status() == RunStatus.CANCELLING;
    }

    private static void started(RunRegistry registry, String id) {
        registry.apply(new RunEvent.Submitted(id, "g", "q", Map.of(), T));
        registry.apply(new RunEvent.Started(id, "w", T));
    }

    /** Waits on its own platform thread (its state shows when it is parked). */
    private static final class Reader {
        final CompletableFuture<Boolean> result = new CompletableFuture<>();
        final Thread thread;

        Reader(ChangeFeed feed, Duration timeout) {
            thread = Thread.ofPlatform().daemon().start(() -> {
                try {
                    result.complete(feed.await(timeout));
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        }

        void parked() {
            org.awaitility.Awaitility.await().atMost(Hang.IN_PROCESS)
                    .until(() -> thread.getState() == Thread.State.TIMED_WAITING);
        }
    }

    @Test
    void aChangeItNamesWakesTheReaderAtOnceWhateverItsPatience() throws Exception {
        var registry = new RunRegistry();
        try (var feed = registry.openFeed(HOUR, PatientFeedTest::cancelling)) {
            var reader = new Reader(feed, HOUR);
            started(registry, "r");
            registry.apply(new RunEvent.NodeStarted("r", "a", T));
            reader.parked(); // woken by the first change to start its patience, then parked again
            Thread.sleep(200);
            assertThat(reader.result).as("progress waits").isNotDone();

            registry.apply(new RunEvent.CancelRequested("r", T));
            assertThat(reader.result.get(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(feed.drain()).singleElement().satisfies(s -> {
                assertThat(s.status()).isEqualTo(RunStatus.CANCELLING);
                assertThat(s.currentNode()).isEqualTo("a");
            });
        }
    }

    @Test
    void changesItDoesNotNameWaitOutItsPatienceAndArriveGathered() throws Exception {
        var registry = new RunRegistry();
        var patience = Duration.ofMillis(300);
        try (var feed = registry.openFeed(patience, PatientFeedTest::cancelling)) {
            var reader = new Reader(feed, HOUR);
            reader.parked();
            long first = System.nanoTime();
            for (var id : new String[]{"a", "b", "c"}) {
                started(registry, id);
                for (int i = 0; i < 3; i++) registry.apply(new RunEvent.NodeFinished(id, "n", true, T));
            }
            registry.apply(new RunEvent.Completed("c", T));
            assertThat(reader.result.get(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - first)).isGreaterThanOrEqualTo(patience);

            var batch = feed.drain();
            assertThat(batch).extracting(RunSnapshot::runId).containsExactlyInAnyOrder("a", "b", "c");
            assertThat(batch).filteredOn(s -> !s.runId().equals("c")).allSatisfy(s -> assertThat(s.steps()).isEqualTo(3));
            assertThat(batch).filteredOn(s -> s.runId().equals("c")).singleElement()
                    .satisfies(s -> assertThat(s.status()).isEqualTo(RunStatus.COMPLETED));
        }
    }

    @Test
    void aReaderWithNothingPendingIsWokenByAChangeThatMayWaitSoThatItsPatienceStarts() throws Exception {
        var registry = new RunRegistry();
        try (var feed = registry.openFeed(Duration.ofMillis(20), PatientFeedTest::cancelling)) {
            var reader = new Reader(feed, HOUR);
            reader.parked();
            started(registry, "r"); // without the wake-up, the reader would sleep its hour
            assertThat(reader.result.get(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(feed.drain()).singleElement().satisfies(s -> assertThat(s.status()).isEqualTo(RunStatus.RUNNING));
        }
    }

    @Test
    void aFeedWithoutATestWakesItsReaderForEveryChange() throws Exception {
        var registry = new RunRegistry();
        try (var feed = registry.openFeed()) {
            var reader = new Reader(feed, HOUR);
            reader.parked();
            registry.apply(new RunEvent.Submitted("r", "g", "q", Map.of(), T));
            assertThat(reader.result.get(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * Writers race the reader through thousands of runs, most changes not named and a few named, with
     * a patience so short that the reader keeps crossing between its two kinds of wait. The reader waits
     * up to an hour each time: a lost wake-up would leave the last changes undelivered, and the test
     * waiting for them fails.
     */
    @RepeatedTest(5)
    void noChangeIsLeftBehindHoweverOffersAndWaitsInterleave() throws Exception {
        var registry = new RunRegistry(100_000);
        int writers = 4, runsEach = 1_500;
        var newest = new HashMap<String, RunSnapshot>();
        var stop = new AtomicBoolean();
        var readerThread = java.util.concurrent.Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().factory());
        try (var feed = registry.openFeed(Duration.ofMillis(1), PatientFeedTest::cancelling)) {
            var reading = CompletableFuture.runAsync(() -> {
                try {
                    while (!stop.get()) {
                        if (!feed.await(HOUR)) continue;
                        var batch = feed.drain();
                        synchronized (newest) {
                            for (var s : batch) newest.merge(s.runId(), s, (a, b) -> b.version() > a.version() ? b : a);
                        }
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, readerThread);
            var go = new CountDownLatch(1);
            var writing = new CompletableFuture<?>[writers];
            for (int w = 0; w < writers; w++) {
                int writer = w;
                writing[w] = CompletableFuture.runAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    var random = ThreadLocalRandom.current();
                    for (int i = 0; i < runsEach; i++) {
                        var id = writer + "-" + i;
                        started(registry, id);
                        for (int k = random.nextInt(4); k > 0; k--) registry.apply(new RunEvent.NodeFinished(id, "n", true, T));
                        if (random.nextInt(10) == 0) registry.apply(new RunEvent.CancelRequested(id, T));
                        if (random.nextInt(3) > 0) registry.apply(new RunEvent.Completed(id, T)); // the others stay as they are
                    }
                });
            }
            go.countDown();
            CompletableFuture.allOf(writing).get(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS);
            var expected = new HashMap<String, RunSnapshot>();
            for (int w = 0; w < writers; w++) {
                for (int i = 0; i < runsEach; i++) expected.put(w + "-" + i, registry.get(w + "-" + i).orElseThrow());
            }
            org.awaitility.Awaitility.await().atMost(Hang.IN_PROCESS).pollInterval(Duration.ofMillis(20)).until(() -> {
                synchronized (newest) {
                    return reading.isDone() || newest.size() == expected.size()
                            && expected.values().stream().allMatch(s -> newest.get(s.runId()).version() == s.version());
                }
            });
            stop.set(true);
            feed.close(); // wakes the reader
            reading.get(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS);
        } finally {
            readerThread.shutdownNow();
        }
    }

    /**
     * What lets a thread leave a note for a run's next change without missing it: {@link RunRegistry#get}
     * does not see a change being made, {@link RunRegistry#getAfterChange} waits for it.
     */
    @Test
    void aReadAfterTheChangeWaitsForAChangeBeingMade() throws Exception {
        var registry = new RunRegistry();
        var inside = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        registry.watch(change -> { // under the run's lock
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        var applying = CompletableFuture.runAsync(() -> registry.apply(new RunEvent.Submitted("r", "g", "q", Map.of(), T)));
        assertThat(inside.await(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(registry.get("r")).as("not yet shown").isEmpty();

        var read = CompletableFuture.supplyAsync(() -> registry.getAfterChange("r"));
        Thread.sleep(200);
        assertThat(read).as("waits for the change").isNotDone();
        release.countDown();
        assertThat(read.get(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS)).hasValueSatisfying(s -> assertThat(s.status()).isEqualTo(RunStatus.QUEUED));
        applying.get(Hang.IN_PROCESS_SECONDS, TimeUnit.SECONDS);
        assertThat(registry.getAfterChange("absent")).isEmpty();
        assertThat(registry.get("absent")).as("a read of an absent run adds nothing").isEmpty();
    }
}
