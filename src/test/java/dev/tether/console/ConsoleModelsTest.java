package dev.tether.console;

import dev.tether.engine.EngineStats;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The panels' presentation models alone: values out, commands in, no scene graph. */
class ConsoleModelsTest {

    @Test
    void metricsTakeOneSamplePerWallClockSecondAndKeepTwoMinutes() {
        var m = new MetricsModel();
        m.sample(1_000, Map.of(RunStatus.RUNNING, 3));
        m.sample(1_400, Map.of(RunStatus.RUNNING, 9)); // same second: ignored
        assertThat(m.second().get()).isEqualTo(1);
        assertThat(m.samples(RunStatus.RUNNING)).containsExactly(new MetricsModel.Sample(1, 3));

        m.ended(List.of(snapshot(RunStatus.FAILED), snapshot(RunStatus.FAILED), snapshot(RunStatus.COMPLETED)));
        m.sample(2_000, Map.of());
        assertThat(m.samples(RunStatus.FAILED).getLast()).isEqualTo(new MetricsModel.Sample(2, 2));
        assertThat(m.samples(RunStatus.COMPLETED).getLast()).isEqualTo(new MetricsModel.Sample(2, 1));
        m.sample(3_000, Map.of());
        assertThat(m.samples(RunStatus.FAILED).getLast().value()).as("ended runs count in their own second").isZero();

        for (int s = 4; s < 400; s++) m.sample(s * 1_000L, Map.of());
        assertThat(m.samples(RunStatus.RUNNING)).hasSize(MetricsModel.WINDOW_SECONDS + 1);
    }

    @Test
    void statusSaysCountsExecutorUseAndADisconnection() {
        var s = new StatusModel();
        s.refresh(Map.of(RunStatus.RUNNING, 2, RunStatus.QUEUED, 1, RunStatus.COMPLETED, 5), new EngineStats(4, 2, 1, 1), "embedded", true, false);
        assertThat(s.count(RunStatus.RUNNING).get()).isEqualTo(2);
        assertThat(s.summary().get()).isEqualTo("3 active · 8 tracked");
        assertThat(s.executor().get()).isEqualTo("Executor 2/4 busy, 1 queued, 1 stuck");
        assertThat(s.mode().get()).isEqualTo("embedded");
        s.refresh(Map.of(), new EngineStats(0, 0, 0, 0), "redis://host:6379", false, false);
        assertThat(s.mode().get()).isEqualTo("redis://host:6379 — disconnected");
        assertThat(s.connected().get()).isFalse();
        s.refresh(Map.of(), new EngineStats(0, 0, 0, 0), "redis://host:6379", false, true);
        assertThat(s.mode().get()).as("reached, its runs not loaded yet").isEqualTo("redis://host:6379 — loading runs");
        assertThat(s.connected().get()).isTrue();
        assertThat(s.loading().get()).isTrue();
        s.refresh(Map.of(), new EngineStats(0, 0, 0, 0), "redis://host:6379", true, false);
        assertThat(s.loading().get()).isFalse();
    }

    @Test
    void queuedRunsTheConsoleDoesNotHoldAreCountedInTheSummaryAndTheExecutorLine() {
        var s = new StatusModel();
        s.refresh(Map.of(RunStatus.RUNNING, 16, RunStatus.QUEUED, 10_000), new EngineStats(16, 16, 100_000, 0), "redis://host:6379", true, false, 90_000);
        assertThat(s.summary().get()).isEqualTo("10016 active · 10016 tracked · 90,000 more queued in Redis, not shown");
        assertThat(s.executor().get()).isEqualTo("Executor 16/16 busy, 100000 queued");
        s.refresh(Map.of(RunStatus.QUEUED, 3), new EngineStats(16, 0, 3, 0), "redis://host:6379", true, false, 0);
        assertThat(s.summary().get()).isEqualTo("3 active · 3 tracked");
    }

    @Test
    void aLongAddressIsCutInTheBadgeAfterItsFirstHostAndKeptWholeBeside() {
        var s = new StatusModel();
        var sentinels = "redis-sentinel://10.0.0.11:26379,10.0.0.12:26379,10.0.0.13:26379?master=orders&prefix=prod";
        s.refresh(Map.of(), new EngineStats(0, 0, 0, 0), sentinels, false, true);
        assertThat(s.mode().get()).isEqualTo("redis-sentinel://10.0.0.11:26379,… — loading runs");
        assertThat(s.mode().get().indexOf(" — ")).isEqualTo(StatusModel.BADGE_CHARS);
        assertThat(s.where().get()).isEqualTo(sentinels);
        assertThat(Formats.cut("abcdef", 6)).isEqualTo("abcdef");
        assertThat(Formats.cut("abcdefg", 6)).isEqualTo("abcde…");
    }

    @Test
    void anEmptyActiveTableSaysWhy() {
        assertThat(ActiveRunsController.emptyText(true, "redis://host:6379", false, 0)).isEqualTo("Loading runs from redis://host:6379…");
        assertThat(ActiveRunsController.emptyText(true, "redis://host:6379", true, 0)).as("loading comes first").startsWith("Loading");
        assertThat(ActiveRunsController.emptyText(false, "embedded", true, 0)).isEqualTo("No active run matches the filter.");
        assertThat(ActiveRunsController.emptyText(false, "embedded", false, 0)).isEqualTo("No active runs. Submit one with Ctrl+N.");
        assertThat(ActiveRunsController.emptyText(false, "redis://host:6379", true, 90_000)).as("over Redis, beyond the runs held")
                .isEqualTo("No run shown matches the filter; 90,000 more queued in Redis were not searched (tether list --status QUEUED pages through them).");
    }

    @Test
    void historyIsReadOnlyOutsideItsCommand() {
        var h = new HistoryModel(q -> java.util.concurrent.CompletableFuture.completedFuture(dev.tether.history.HistoryPage.empty()), Runnable::run, 2);
        h.add(List.of(snapshot(RunStatus.COMPLETED), snapshot(RunStatus.FAILED), snapshot(RunStatus.CANCELLED)));
        assertThat(h.runs()).hasSize(2);
        assertThatThrownBy(() -> h.runs().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void historySaysWhereARunStoppedAndWhetherItWasKilled() {
        assertThat(HistoryController.stoppedAt(stopped(RunStatus.CANCELLED, "write", false))).isEqualTo("write");
        assertThat(HistoryController.stoppedAt(stopped(RunStatus.CANCELLED, "write", true))).isEqualTo("write (killed)");
        assertThat(HistoryController.stoppedAt(stopped(RunStatus.CANCELLED, null, true))).isEqualTo("before start (killed)");
        assertThat(HistoryController.stoppedAt(stopped(RunStatus.STUCK, null, false)))
                .isEqualTo("spin (stuck: process isolation would kill it)");
    }

    @Test
    void detailsOfferTheStopLevelsWhileAStopCanChangeAnythingAndHintAtAForcedStop() {
        var d = new DetailsModel(() -> java.util.concurrent.CompletableFuture.completedFuture(List.of()));
        var running = snapshot(RunStatus.RUNNING);
        d.show(new javafx.beans.property.SimpleObjectProperty<>(running));
        assertThat(d.stoppable().get()).isTrue();
        assertThat(d.stoppableAfterNode().get()).isTrue();
        assertThat(d.stopHint().get()).isNull();
        assertThat(d.stopTargets(StopLevel.AFTER_NODE)).containsExactly(running.runId());

        var follow = new javafx.beans.property.SimpleObjectProperty<>(stopped(RunStatus.CANCELLING, null, false));
        d.show(follow);
        assertThat(d.stoppable().get()).as("a cancel under way can be escalated").isTrue();
        assertThat(d.stoppableAfterNode().get()).as("but not softened").isFalse();
        assertThat(d.stopTargets(StopLevel.AFTER_NODE)).isEmpty();
        assertThat(d.stopTargets(StopLevel.KILL)).hasSize(1);

        follow.set(stopped(RunStatus.STUCK, null, false)); // followed as it changes
        assertThat(d.stoppable().get()).isFalse();
        assertThat(d.stopTargets(StopLevel.KILL)).isEmpty();
        assertThat(d.stopHint().get()).contains("process isolation").contains("g = process");

        follow.set(stopped(RunStatus.CANCELLED, "spin", true));
        assertThat(d.stopHint().get()).startsWith("Killed:");
        d.show(null);
        assertThat(d.stoppable().get()).isFalse();
        assertThat(d.stopHint().get()).isNull();
    }

    private static int n;

    private static RunSnapshot snapshot(RunStatus status) {
        var id = String.format("0190aaaa-0000-7000-8000-%012d", ++n);
        var t = java.time.Instant.parse("2026-01-01T00:00:00Z").plusSeconds(n);
        return new RunSnapshot(id, "g", "q", "local", status, null, 1, t, t, t.plusSeconds(1), null, null, null, Map.of(), List.of(), 3, false, null, null);
    }

    /** A run a cancel reached: in node "spin" (null: before it started), forced or not. */
    private static RunSnapshot stopped(RunStatus status, String cancelledAtNode, boolean forced) {
        var id = String.format("0190aaaa-0000-7000-8000-%012d", ++n);
        var t = java.time.Instant.parse("2026-01-01T00:00:00Z").plusSeconds(n);
        return new RunSnapshot(id, "g", "q", "local", status, "spin", 1, t, t, status.isTerminal() ? t.plusSeconds(1) : null,
                t.plusMillis(500), cancelledAtNode, null, Map.of(), List.of(), 3, forced, null, null);
    }
}
