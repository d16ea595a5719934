package dev.tether.registry;

import dev.tether.testing.Hang;

import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunRegistryTest {
    private static final Instant T = Instant.now();

    private static void submit(RunRegistry r, String id) {
        r.apply(new RunEvent.Submitted(id, "g", "q", Map.of(), T));
    }

    @Test
    void concurrentEventsOnOneRunAreAppliedAtomically() throws Exception {
        var registry = new RunRegistry();
        submit(registry, "r");
        registry.apply(new RunEvent.Started("r", "w", T));
        int threads = 8, perThread = 5_000;
        var pool = Executors.newFixedThreadPool(threads);
        var start = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) registry.apply(new RunEvent.NodeFinished("r", "n", true, T));
                return null;
            });
        }
        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        var run = registry.get("r").orElseThrow();
        assertThat(run.steps()).isEqualTo(threads * perThread);
        assertThat(run.version()).isEqualTo(2 + threads * perThread);
    }

    @Test
    void exactlyOneOfRacingTerminalEventsWins() throws Exception {
        for (int round = 0; round < 500; round++) {
            var registry = new RunRegistry();
            var id = "r" + round;
            submit(registry, id);
            registry.apply(new RunEvent.Started(id, "w", T));
            registry.apply(new RunEvent.CancelRequested(id, T));
            var go = new CountDownLatch(1);
            var results = new ConcurrentHashMap<String, Boolean>();
            var a = Thread.ofPlatform().start(() -> { await(go); results.put("cancelled", registry.apply(new RunEvent.Cancelled(id, "n", T)).applied()); });
            var b = Thread.ofPlatform().start(() -> { await(go); results.put("stuck", registry.apply(new RunEvent.Stuck(id, "n", T)).applied()); });
            go.countDown();
            a.join();
            b.join();
            assertThat(results.values().stream().filter(x -> x)).hasSize(1);
            var status = registry.get(id).orElseThrow().status();
            assertThat(status).isEqualTo(results.get("cancelled") ? RunStatus.CANCELLED : RunStatus.STUCK);
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            throw new RuntimeException(e);
        }
    }

    @Test
    void historyKeepsOnlyTheNewestFinishedRunsAndNeverDropsActiveOnes() {
        var registry = new RunRegistry(3);
        submit(registry, "active");
        for (int i = 0; i < 10; i++) {
            submit(registry, "f" + i);
            registry.apply(new RunEvent.CancelRequested("f" + i, T));
        }
        assertThat(registry.finished()).extracting(RunSnapshot::runId).containsExactlyInAnyOrder("f7", "f8", "f9");
        assertThat(registry.active()).extracting(RunSnapshot::runId).containsExactly("active");
    }

    @Test
    void aFeedCoalescesToTheNewestSnapshotPerRun() {
        var registry = new RunRegistry();
        try (var feed = registry.openFeed()) {
            submit(registry, "a");
            registry.apply(new RunEvent.Started("a", "w", T));
            for (int i = 0; i < 100; i++) registry.apply(new RunEvent.NodeFinished("a", "n", true, T));
            submit(registry, "b");
            var batch = feed.drain();
            assertThat(batch).hasSize(2);
            assertThat(batch.stream().filter(s -> s.runId().equals("a")).findFirst().orElseThrow().steps()).isEqualTo(100);
            assertThat(feed.drain()).isEmpty();
        }
    }

    /**
     * The subscriber is held inside its first batch until every event has been applied: the writers
     * finish without it (they never wait for a listener), and what piled up meanwhile arrives coalesced
     * in one batch, newest state per run.
     */
    @Test
    void aSlowSubscriberDoesNotSlowTheWritersAndSeesTheFinalState() throws Exception {
        var registry = new RunRegistry();
        var seen = new ConcurrentHashMap<String, RunSnapshot>();
        var batches = new ArrayList<Integer>();
        var writersDone = new java.util.concurrent.CountDownLatch(1);
        try (var sub = registry.subscribe(batch -> {
            synchronized (batches) {
                batches.add(batch.size());
            }
            batch.forEach(s -> seen.merge(s.runId(), s, (x, y) -> y.version() > x.version() ? y : x));
            try {
                writersDone.await(); // as slow as can be: until the writers are done
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            var writers = java.util.concurrent.CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 1_000; i++) {
                    submit(registry, "r" + i);
                    registry.apply(new RunEvent.Started("r" + i, "w", T));
                    for (int k = 0; k < 50; k++) registry.apply(new RunEvent.NodeFinished("r" + i, "n", true, T));
                    registry.apply(new RunEvent.Completed("r" + i, T));
                }
            });
            writers.get(dev.tether.testing.Hang.IN_PROCESS_SECONDS, java.util.concurrent.TimeUnit.SECONDS); // 53,000 events, the listener held
            writersDone.countDown();
            Awaitility.await().until(() -> seen.size() == 1_000
                    && seen.values().stream().allMatch(s -> s.status() == RunStatus.COMPLETED && s.steps() == 50));
        }
        synchronized (batches) {
            assertThat(batches.size()).as("what piled up while the listener was held came in one batch").isBetween(1, 2);
        }
    }

    @Test
    void findAcceptsAUniquePrefixOrSuffixOfAtLeastEightCharacters() {
        var registry = new RunRegistry();
        submit(registry, "0190aaaa-0000-7000-8000-00000000abc1");
        submit(registry, "0190aaaa-1111-7000-8000-00000000abd2");
        assertThat(registry.find("0190aaaa-0").orElseThrow().runId()).isEqualTo("0190aaaa-0000-7000-8000-00000000abc1");
        assertThat(registry.find("0000abd2").orElseThrow().runId()).isEqualTo("0190aaaa-1111-7000-8000-00000000abd2");
        assertThat(registry.find("ffffffff")).isEmpty();
        assertThatThrownBy(() -> registry.find("0190aaa")).hasMessageContaining("too short");
        assertThatThrownBy(() -> registry.find("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> registry.find("1")).hasMessageContaining("too short");
        assertThatThrownBy(() -> registry.find("0190aaaa")).hasMessageContaining("ambiguous");
    }

    @Test
    void countsCoverEveryStatus() {
        var registry = new RunRegistry();
        submit(registry, "q");
        submit(registry, "c");
        registry.apply(new RunEvent.CancelRequested("c", T));
        var counts = registry.counts();
        assertThat(counts).containsOnlyKeys(List.of(RunStatus.values()));
        assertThat(counts.get(RunStatus.QUEUED)).isEqualTo(1);
        assertThat(counts.get(RunStatus.CANCELLED)).isEqualTo(1);
    }

    /**
     * Counts are kept with every change instead of counted on every read (a view over 100,000 runs
     * reads them every second): under racing events, mirrored copies and history retirement, they
     * always come back to what the registry holds.
     */
    /** A run that ends while the active runs are being listed is never listed in its terminal state. */
    @Test
    void theActiveListNeverHoldsARunThatEndedWhileItWasBeingMade() throws Exception {
        var registry = new RunRegistry(100);
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var ender = Thread.ofPlatform().start(() -> {
            for (int i = 0; !stop.get(); i++) {
                var id = "e" + i;
                submit(registry, id);
                registry.apply(new RunEvent.Started(id, "w", T));
                registry.apply(new RunEvent.Completed(id, T));
            }
        });
        try {
            for (int i = 0; i < 20_000; i++) {
                for (var r : registry.active()) assertThat(r.status().isActive()).as("%s listed as active", r).isTrue();
                for (var r : registry.withStatus(RunStatus.RUNNING)) assertThat(r.status()).isEqualTo(RunStatus.RUNNING);
            }
        } finally {
            stop.set(true);
            ender.join();
        }
    }

    @Test
    void countsAndTheActiveIndexStayTrueUnderRacingChangesMirrorsAndRetirement() throws Exception {
        for (int round = 0; round < 20; round++) {
            var registry = new RunRegistry(50);
            int threads = 6, runsPerThread = 300;
            var pool = Executors.newFixedThreadPool(threads);
            var go = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int thread = t;
                pool.submit(() -> {
                    go.await();
                    var random = new java.util.Random(thread * 1_000L + 7);
                    for (int i = 0; i < runsPerThread; i++) {
                        var id = "r" + random.nextInt(threads * runsPerThread / 2); // runs shared between threads
                        submit(registry, id);
                        switch (random.nextInt(6)) {
                            case 0 -> registry.apply(new RunEvent.Started(id, "w", T));
                            case 1 -> registry.apply(new RunEvent.CancelRequested(id, T));
                            case 2 -> registry.apply(new RunEvent.Completed(id, T));
                            case 3 -> registry.get(id).ifPresent(r -> registry.mirror(dev.tether.run.RunStateMachine.apply(r,
                                    new RunEvent.Lost(id, "gone", T))));
                            case 4 -> registry.apply(new RunEvent.Failed(id, null, T));
                            default -> { }
                        }
                    }
                    return null;
                });
            }
            go.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            var recount = new java.util.EnumMap<RunStatus, Integer>(RunStatus.class);
            for (var st : RunStatus.values()) recount.put(st, 0);
            for (var r : registry.all()) recount.merge(r.status(), 1, Integer::sum);
            assertThat(registry.counts()).isEqualTo(recount);
            assertThat(recount.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(registry.size());
            assertThat(registry.finished()).as("history bounded").hasSizeLessThanOrEqualTo(50);
            // the active runs are listed from an index kept with the counts: it agrees with a walk of every run
            var walked = registry.all().stream().filter(r -> r.status().isActive()).toList();
            assertThat(registry.activeIds()).containsExactlyInAnyOrderElementsOf(walked.stream().map(RunSnapshot::runId).toList());
            assertThat(registry.active()).containsExactlyElementsOf(walked);
            assertThat(registry.withStatus(RunStatus.RUNNING)).containsExactlyElementsOf(
                    walked.stream().filter(r -> r.status() == RunStatus.RUNNING).toList());
        }
    }
}
