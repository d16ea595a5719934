package dev.tether.store;

import dev.tether.history.HistoryCursor;
import dev.tether.history.HistoryQuery;
import dev.tether.history.UnreadableRecord;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RunHistoryTest {
    @TempDir Path dir;
    final HistoryFixture runs = new HistoryFixture();
    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    Path file() {
        return dir.resolve("tether.db");
    }

    @Test
    void everyChangeOfARegistryIsKeptAndOutlivesTheProcessThatWroteIt() {
        var registry = new RunRegistry();
        String done, active;
        try (var history = RunHistory.open(file())) {
            history.attach(registry);
            // the registry's own events, as an engine would apply them
            done = RunEventsInto.completed(registry, "welcome-email", T0);
            active = RunEventsInto.running(registry, "book-workflow", T0.plusSeconds(5));
            history.flush();
            assertThat(history.page(HistoryQuery.newest(10)).runs()).extracting(RunSnapshot::runId).containsExactly(active, done);
        }
        try (var reopened = RunHistory.open(file())) {
            var page = reopened.page(HistoryQuery.newest(10));
            assertThat(page.runs()).extracting(RunSnapshot::runId).containsExactly(active, done);
            assertThat(page.next()).isNull();
            var stored = reopened.find(done).orElseThrow();
            assertThat(stored).isEqualTo(registry.get(done).orElseThrow());
            assertThat(stored.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(stored.input()).containsEntry("k", "v");
        }
    }

    @Test
    void anOlderSnapshotNeverReplacesANewerOneAndAFinishedRunIsFinal() {
        try (var history = RunHistory.open(file())) {
            var running = runs.running("g", T0);
            var finished = runs.registry.apply(new RunEvent.Completed(running.runId(), T0.plusSeconds(3))).after();
            history.write(List.of(finished));
            history.write(List.of(running)); // late, older
            var lost = new RunSnapshot(finished.runId(), "g", "default", null, RunStatus.LOST, null, 0, T0, T0, T0, null, null,
                    null, null, null, finished.version() + 5, false);
            history.write(List.of(lost)); // newer, but the run had already ended
            assertThat(history.find(running.runId()).orElseThrow()).isEqualTo(finished);
        }
    }

    @Test
    void pagesAreNewestFirstAndFollowingTheCursorsGivesEveryRunOnce() {
        var written = new ArrayList<RunSnapshot>();
        for (int i = 0; i < 230; i++) written.add(runs.completed("g", T0.plusSeconds(i / 3))); // three runs share each second
        try (var history = RunHistory.open(file())) {
            history.write(written);
            var seen = new ArrayList<String>();
            var query = HistoryQuery.newest(50);
            int pages = 0;
            while (true) {
                var page = history.page(query);
                pages++;
                seen.addAll(page.runs().stream().map(RunSnapshot::runId).toList());
                if (page.next() == null) break;
                query = query.after(HistoryCursor.parse(page.next()));
            }
            assertThat(pages).isEqualTo(5);
            assertThat(seen).doesNotHaveDuplicates().hasSize(230);
            var expected = written.stream().sorted(dev.tether.history.InMemoryHistory.NEWEST_FIRST).map(RunSnapshot::runId).toList();
            assertThat(seen).isEqualTo(expected);
        }
    }

    @Test
    void filtersByGraphStatusAndTimeRangeCombine() {
        var a1 = runs.completed("alpha", T0.plusSeconds(10));
        var a2 = runs.cancelled("alpha", T0.plusSeconds(20));
        var b1 = runs.completed("beta", T0.plusSeconds(30));
        var a3 = runs.completed("alpha", T0.plusSeconds(40));
        var active = runs.running("alpha", T0.plusSeconds(50));
        try (var history = RunHistory.open(file())) {
            history.write(List.of(a1, a2, b1, a3, active));
            assertThat(ids(history, new HistoryQuery("alpha", Set.of(), null, null, 10, null))).containsExactly(active.runId(), a3.runId(), a2.runId(), a1.runId());
            assertThat(ids(history, new HistoryQuery(null, EnumSet.of(RunStatus.CANCELLED, RunStatus.RUNNING), null, null, 10, null)))
                    .containsExactly(active.runId(), a2.runId());
            assertThat(ids(history, new HistoryQuery("alpha", Set.of(RunStatus.COMPLETED), T0.plusSeconds(10), T0.plusSeconds(40), 10, null)))
                    .containsExactly(a1.runId());
            assertThat(ids(history, new HistoryQuery("gamma", Set.of(), null, null, 10, null))).isEmpty();
        }
    }

    @Test
    void onlyTheNewestFinishedRunsUpToTheMaximumAreKeptAndActiveRunsNeverCount() {
        try (var history = RunHistory.open(file(), 100)) {
            var active = runs.running("g", T0.minusSeconds(1000));
            history.write(List.of(active));
            var finished = new ArrayList<RunSnapshot>();
            for (int i = 0; i < 250; i++) finished.add(runs.completed("g", T0.plusSeconds(i)));
            for (int i = 0; i < 250; i += 25) history.write(finished.subList(i, i + 25));
            var kept = ids(history, new HistoryQuery(null, Set.of(), null, null, 1_000, null));
            assertThat(kept).hasSize(101).contains(active.runId());
            assertThat(kept.subList(0, 100)).isEqualTo(finished.reversed().subList(0, 100).stream().map(RunSnapshot::runId).toList());
        }
    }

    @Test
    void garbageAndTruncatedRecordsAreEachOneRowSayingSoAndBreakNothingElse() throws Exception {
        var good = runs.completed("g", T0.plusSeconds(1));
        var garbage = runs.completed("g", T0.plusSeconds(2));
        var truncated = runs.cancelled("g", T0.plusSeconds(3));
        try (var history = RunHistory.open(file())) {
            history.write(List.of(good, garbage, truncated));
        }
        HistoryFixture.sql(file(), "UPDATE run_history SET snapshot = ? WHERE run_id = ?", "\u0000\u00ff not json at all", garbage.runId());
        var json = dev.tether.json.Json.write(truncated);
        HistoryFixture.sql(file(), "UPDATE run_history SET snapshot = ? WHERE run_id = ?", json.substring(0, json.length() / 2), truncated.runId());

        try (var history = RunHistory.open(file())) {
            var page = history.page(HistoryQuery.newest(10)).runs();
            assertThat(page).extracting(RunSnapshot::runId).containsExactly(truncated.runId(), garbage.runId(), good.runId());
            assertThat(page.get(2)).isEqualTo(good);
            for (var bad : page.subList(0, 2)) {
                assertThat(UnreadableRecord.is(bad)).isTrue();
                assertThat(bad.error().message()).startsWith("unreadable record: not a run snapshot");
                assertThat(bad.graphId()).isEqualTo("g");
            }
            assertThat(page.get(0).status()).isEqualTo(RunStatus.CANCELLED); // what the row's own columns say
            assertThat(history.find(garbage.runId())).isEmpty();
            // the writer carries on
            var later = runs.completed("g", T0.plusSeconds(4));
            history.write(List.of(later));
            assertThat(history.find(later.runId())).contains(later);
        }
    }

    @Test
    void aFlushAtCloseWritesTheTerminalStatesOfRunsThatEndedJustBefore() {
        var registry = new RunRegistry();
        String id;
        var history = RunHistory.open(file());
        history.attach(registry);
        id = RunEventsInto.running(registry, "g", T0);
        registry.apply(new RunEvent.Completed(id, T0.plusSeconds(1)));
        history.close(Duration.ofSeconds(5)); // no wait for the writer's own pace
        try (var reopened = RunHistory.open(file())) {
            assertThat(reopened.find(id).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        }
    }

    /**
     * The writer trails the engine by up to 20 ms (more on a busy disk): a process killed right after
     * answering a submit must still leave that run on record. No writer is attached here, so the rows
     * can only come from what the engine writes before its submit returns.
     */
    @Test
    void aRunIsOnRecordBeforeItsSubmitReturnsWithNoWriterBehindTheEngine() {
        var engine = new dev.tether.engine.LocalEngine(dev.tether.engine.EngineConfig.defaults().withConcurrency(1),
                dev.tether.catalog.GraphCatalog.load(null), new RunRegistry());
        try (var history = RunHistory.open(file())) {
            engine.journal(history);
            var slow = java.util.Map.<String, Object>of("nodeMillis", 60_000);
            var first = engine.submit("book-workflow", null, slow); // takes the one slot
            var second = engine.submit("book-workflow", null, slow); // waits behind it
            for (var run : List.of(first, second)) {
                assertThat(history.find(run.runId())).as("run %s on record", run.runId()).isPresent();
            }
            assertThat(history.find(second.runId()).orElseThrow().status()).isEqualTo(RunStatus.QUEUED);
        } finally {
            engine.shutdown(Duration.ofSeconds(10));
        }
    }

    private static List<String> ids(RunHistory history, HistoryQuery q) {
        return history.page(q).runs().stream().map(RunSnapshot::runId).toList();
    }

    /** Events applied to a given registry (the one a history is attached to). */
    static final class RunEventsInto {
        static String running(RunRegistry registry, String graph, Instant at) {
            var id = dev.tether.run.RunIds.next();
            registry.apply(new RunEvent.Submitted(id, graph, "default", java.util.Map.of("k", "v"), at));
            registry.apply(new RunEvent.Started(id, "local-1", at.plusMillis(1)));
            registry.apply(new RunEvent.NodeStarted(id, "work", at.plusMillis(2)));
            return id;
        }

        static String completed(RunRegistry registry, String graph, Instant at) {
            var id = running(registry, graph, at.minusSeconds(1));
            registry.apply(new RunEvent.NodeFinished(id, "work", true, at.minusMillis(1)));
            registry.apply(new RunEvent.Completed(id, at));
            return id;
        }
    }
}
