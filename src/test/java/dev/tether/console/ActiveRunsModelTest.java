package dev.tether.console;

import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import javafx.beans.property.SimpleObjectProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The active table's rows: batches in, rows kept current, finished rows linger then leave. */
class ActiveRunsModelTest {
    private static final long SECOND = 1_000_000_000L;
    private final RunRegistry registry = new RunRegistry();
    private final ActiveRunsModel model = new ActiveRunsModel(Duration.ofSeconds(5));

    private RunSnapshot submit(String id) {
        return registry.apply(new RunEvent.Submitted(id, "g", "q", Map.of(), Instant.now())).current();
    }

    private RunSnapshot apply(RunEvent e) {
        return registry.apply(e).current();
    }

    @Test
    void aNewRunBecomesARowAndANewerSnapshotReplacesIt() {
        model.apply(List.of(submit("r1")), 0);
        var running = apply(new RunEvent.Started("r1", "w", Instant.now()));
        model.apply(List.of(running), 1);

        assertThat(model.view()).hasSize(1);
        assertThat(model.row("r1").snapshot().status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void itKnowsWhetherAnyRowHasALimitThatMayCountDownUntilTheLastSuchRowHasLeft() {
        model.apply(List.of(submit("plain")), 0);
        assertThat(model.anyLimited()).isFalse();
        var limited = registry.apply(new RunEvent.Submitted("limited", "g", "q", Map.of(), Instant.now(), null,
                dev.tether.run.RunPolicy.of("max-runtime", "10m"), null)).current();
        model.apply(List.of(limited), 0);
        assertThat(model.anyLimited()).isTrue();
        var done = registry.apply(new RunEvent.Started("limited", "w", Instant.now())).current();
        model.apply(List.of(done, apply(new RunEvent.Completed("limited", Instant.now()))), SECOND);
        assertThat(model.anyLimited()).as("lingering, still shown").isTrue();
        model.tick(7 * SECOND);
        assertThat(model.row("limited")).isNull();
        assertThat(model.anyLimited()).isFalse();
    }

    @Test
    void aStaleSnapshotArrivingLateIsIgnored() {
        var queued = submit("r1");
        var running = apply(new RunEvent.Started("r1", "w", Instant.now()));
        model.apply(List.of(running), 0);
        model.apply(List.of(queued), 1);
        assertThat(model.row("r1").snapshot().status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void aFinishedRunLingersThenLeavesAndIsReportedEndedOnce() {
        model.apply(List.of(submit("r1")), 0);
        apply(new RunEvent.Started("r1", "w", Instant.now()));
        var done = apply(new RunEvent.Completed("r1", Instant.now()));

        assertThat(model.apply(List.of(done), SECOND)).extracting(RunSnapshot::runId).containsExactly("r1");
        assertThat(model.apply(List.of(done), 2 * SECOND)).isEmpty();
        model.tick(5 * SECOND);
        assertThat(model.view()).hasSize(1);
        model.tick(6 * SECOND);
        assertThat(model.view()).isEmpty();
        assertThat(model.row("r1")).isNull();
    }

    @Test
    void aStuckRunStaysWhileAThreadIsStillInItThenLingersAndLeaves() {
        model.apply(List.of(submit("r1")), 0);
        apply(new RunEvent.Started("r1", "w", Instant.now()));
        apply(new RunEvent.CancelRequested("r1", Instant.now()));
        var stuck = apply(new RunEvent.Stuck("r1", "spin", Instant.now()));

        assertThat(model.apply(List.of(stuck), SECOND)).as("reported ended once, like any end").hasSize(1);
        assertThat(model.stuckThreads()).containsExactly("r1");
        model.release(Set.of("r1", "other"), 2 * SECOND);
        model.tick(60 * SECOND);
        assertThat(model.view()).as("its thread still runs: far past the linger, still shown").hasSize(1);
        assertThat(model.stuckThreads()).containsExactly("r1");

        model.release(Set.of("other"), 61 * SECOND); // its node returned
        assertThat(model.stuckThreads()).isEmpty();
        model.tick(65 * SECOND);
        assertThat(model.view()).as("lingers from the moment its thread is gone").hasSize(1);
        model.tick(66 * SECOND);
        assertThat(model.view()).isEmpty();
        assertThat(model.row("r1")).isNull();
    }

    @Test
    void whereNoThreadOfThisProcessRunsAStuckRunItLingersFromTheNextRefresh() {
        model.apply(List.of(submit("r1")), 0);
        apply(new RunEvent.Started("r1", "w", Instant.now()));
        apply(new RunEvent.CancelRequested("r1", Instant.now()));
        model.apply(List.of(apply(new RunEvent.Stuck("r1", "spin", Instant.now()))), SECOND);
        model.release(Set.of(), 2 * SECOND); // a remote engine: its workers' threads are not ours
        model.tick(7 * SECOND);
        assertThat(model.view()).isEmpty();
    }

    @Test
    void aRunFirstSeenAlreadyFinishedIsShownBrieflyAndReportedEnded() {
        submit("r1");
        var cancelled = apply(new RunEvent.CancelRequested("r1", Instant.now()));
        assertThat(model.apply(List.of(cancelled), 0)).hasSize(1);
        assertThat(model.view()).hasSize(1);
    }

    @Test
    void aStatusChangeReFiltersTheRowAtOnce() {
        model.filter("", EnumSet.of(RunStatus.QUEUED, RunStatus.RUNNING));
        model.apply(List.of(submit("r1"), submit("r2")), 0);
        apply(new RunEvent.Started("r1", "w", Instant.now()));
        var cancelled = apply(new RunEvent.CancelRequested("r2", Instant.now()));
        model.apply(List.of(registry.get("r1").orElseThrow(), cancelled), 1);

        assertThat(model.view()).extracting(RunRow::runId).containsExactly("r1");
        assertThat(model.size()).as("still held, only hidden").isEqualTo(2);
    }

    @Test
    void aRowTellsItsCellsOfEveryNewerSnapshotAndTheListOnlyOfAStatusChange() {
        model.apply(List.of(submit("r1")), 0);
        var row = model.row("r1");
        var cellSaw = new java.util.ArrayList<RunSnapshot>();
        row.snapshotProperty().addListener((o, was, now) -> cellSaw.add(now));
        var listUpdates = new int[1];
        model.rows().addListener((javafx.collections.ListChangeListener<RunRow>) c -> {
            while (c.next()) if (c.wasUpdated()) listUpdates[0]++;
        });

        var running = apply(new RunEvent.Started("r1", "w", Instant.now()));
        model.apply(List.of(running), 1);
        var inNode = apply(new RunEvent.NodeStarted("r1", "a", Instant.now()));
        model.apply(List.of(inNode), 2);
        model.apply(List.of(running), 3); // late: ignored by both

        assertThat(cellSaw).containsExactly(running, inNode);
        assertThat(listUpdates[0]).as("one status change (QUEUED to RUNNING), not the node").isEqualTo(1);
        assertThat(row.snapshotProperty().get()).isSameAs(inNode);
    }

    @Test
    void aRowsStatusSignalKeepsEachListenerUntilItIsRemoved() {
        var row = new RunRow(submit("r1"));
        var heard = new java.util.ArrayList<String>();
        javafx.beans.InvalidationListener a = o -> heard.add("a");
        javafx.beans.InvalidationListener b = o -> heard.add("b");
        javafx.beans.InvalidationListener c = o -> heard.add("c");
        // the list asks for the signal on each add and remove: each call gives a new one over the same listeners
        RunRow.statusOf(row)[0].addListener(a);
        RunRow.statusOf(row)[0].addListener(b);
        RunRow.statusOf(row)[0].addListener(c);
        row.update(apply(new RunEvent.Started("r1", "w", Instant.now())));
        RunRow.statusOf(row)[0].removeListener(b);
        row.update(apply(new RunEvent.NodeStarted("r1", "n", Instant.now()))); // no status change: nobody hears
        row.update(apply(new RunEvent.CancelRequested("r1", Instant.now())));
        RunRow.statusOf(row)[0].removeListener(a);
        RunRow.statusOf(row)[0].removeListener(a); // twice: no harm
        RunRow.statusOf(row)[0].removeListener(c);
        assertThat(row.update(apply(new RunEvent.Cancelled("r1", "n", Instant.now())))).isTrue();

        assertThat(heard).containsExactly("a", "b", "c", "a", "c");
    }

    @Test
    void theTextFilterMatchesIdGraphQueueWorkerAndStatus() {
        model.apply(List.of(submit("abc-1"), submit("xyz-2")), 0);
        model.filter("XYZ", EnumSet.noneOf(RunStatus.class));
        assertThat(model.view()).extracting(RunRow::runId).containsExactly("xyz-2");
        model.filter("queued", EnumSet.noneOf(RunStatus.class));
        assertThat(model.view()).hasSize(2);
    }

    @Test
    void aSortByAMovingFieldIsRefreshedPeriodically() {
        var byStepsDesc = new SimpleObjectProperty<Comparator<RunRow>>(
                Comparator.comparingInt((RunRow r) -> r.snapshot().steps()).reversed());
        model.sortBy(byStepsDesc);
        model.apply(List.of(submit("a"), submit("b")), 0);
        apply(new RunEvent.Started("a", "w", Instant.now()));
        apply(new RunEvent.Started("b", "w", Instant.now()));
        apply(new RunEvent.NodeStarted("b", "n1", Instant.now()));
        apply(new RunEvent.NodeFinished("b", "n1", true, Instant.now()));
        model.apply(List.of(registry.get("a").orElseThrow(), registry.get("b").orElseThrow()), 1);
        model.tick(SECOND);

        assertThat(model.view()).extracting(RunRow::runId).containsExactly("b", "a");
    }

    @Test
    void tenThousandRowsAreHeldAndUpdatedInOneBatch() {
        var batch = new java.util.ArrayList<RunSnapshot>();
        for (int i = 0; i < 10_000; i++) batch.add(submit("r" + i));
        model.apply(batch, 0);
        batch.clear();
        for (int i = 0; i < 10_000; i++) batch.add(apply(new RunEvent.Started("r" + i, "w", Instant.now())));
        model.apply(batch, 1);
        assertThat(model.view()).hasSize(10_000).allMatch(r -> r.snapshot().status() == RunStatus.RUNNING);
    }
}
