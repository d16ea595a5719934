package dev.tether.engine.process;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.Isolation;
import dev.tether.engine.IsolationPolicy;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Many process-isolated runs cancelled at random moments with random levels: the invariants hold. */
@org.junit.jupiter.api.Tag("process")
class ProcessRaceTest {

    @Test
    void randomCancelsLeaveEveryRunTerminalOnceAndNothingBehind() throws Exception {
        var registry = new RunRegistry();
        var config = EngineConfig.defaults().withConcurrency(2).withCancelGrace(Duration.ofMillis(500))
                .withIsolation(IsolationPolicy.of(Isolation.PROCESS));
        var engine = new LocalEngine(config, GraphCatalog.of(new ProcessGraphs.Cooperative(), new ProcessGraphs.Quick(),
                new ProcessGraphs.SwallowsInterrupts()), registry);
        var pool = engine.childPool().orElseThrow();
        var terminalSeen = new ConcurrentHashMap<String, RunSnapshot>();
        var violations = new CopyOnWriteArrayList<String>();
        var feed = registry.subscribe(batch -> batch.forEach(s -> {
            var first = terminalSeen.get(s.runId());
            if (first != null && (first.status() != s.status() || first.forced() != s.forced())) {
                violations.add(s.runId() + ": " + first.status() + " then " + s.status());
            }
            if (s.isTerminal()) terminalSeen.putIfAbsent(s.runId(), s);
        }));
        int threadsBefore = Thread.activeCount();
        try {
            Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> pool.idle() == 2);
            var ids = new ArrayList<String>();
            var random = ThreadLocalRandom.current();
            for (int i = 0; i < 60; i++) {
                var graph = switch (i % 6) { case 0 -> "swallows"; case 1, 2 -> "quick"; default -> "coop"; };
                ids.add(engine.submit(graph, null, Map.of("millis", random.nextInt(1, 200))).runId());
            }
            var cancellers = new ArrayList<Thread>();
            for (var id : ids) {
                long delay = random.nextLong(0, 400);
                var level = StopLevel.values()[random.nextInt(3)];
                cancellers.add(Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(delay);
                    } catch (InterruptedException ignored) {
                    }
                    engine.cancel(id, CancelRequest.of(level));
                }));
            }
            for (var t : cancellers) t.join();
            // the swallowing runs not cancelled would spin for minutes: stop them
            for (var id : ids) if (!registry.get(id).orElseThrow().isTerminal()) engine.cancel(id, CancelRequest.of(StopLevel.KILL));
            Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> ids.stream().allMatch(id -> registry.get(id).orElseThrow().isTerminal()));
            for (var id : ids) {
                var s = registry.get(id).orElseThrow();
                assertThat(s.status()).as(id).isIn(RunStatus.COMPLETED, RunStatus.CANCELLED);
                if (s.forced()) assertThat(s.status()).isEqualTo(RunStatus.CANCELLED);
            }
            Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> pool.idle() == 2 && pool.live() == 2);
            assertThat(ProcessTreeCount.strays(pool)).isEmpty();
            assertThat(engine.stats().capacity()).isEqualTo(2);
            assertThat(engine.stats().busy()).isZero();
        } finally {
            var pids = List.copyOf(pool.processes());
            engine.shutdown(Duration.ofSeconds(10));
            feed.close();
            Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> pids.stream().noneMatch(ProcessHandle::isAlive));
        }
        Thread.sleep(200);
        assertThat(violations).isEmpty();
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList()).as("no child left").isEmpty();
        Awaitility.await().atMost(Hang.ACROSS_PROCESSES)
                .until(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.isAlive() && t.getName().startsWith("tether-child-")));
        assertThat(Thread.activeCount()).as("no leaked threads").isLessThanOrEqualTo(threadsBefore + 2);
    }
}
