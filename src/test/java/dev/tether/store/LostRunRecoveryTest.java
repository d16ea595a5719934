package dev.tether.store;

import dev.tether.testing.Hang;

import dev.tether.history.HistoryQuery;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.testing.UnreapedProcess;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs left active by a process that was killed become LOST, at start-up and when it dies later (killed
 * and not reaped yet counts as dead); a live process's runs never do.
 */
@Tag("process")
class LostRunRecoveryTest {
    @TempDir Path dir;
    final HistoryFixture runs = new HistoryFixture();

    @Test
    void runsOfAKilledProcessBecomeLostWithTheirPidWhileThoseOfLiveProcessesStayActive() throws Exception {
        var file = dir.resolve("tether.db");
        var killed = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                Sleeper.class.getName()).start();
        var alive = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"), Sleeper.class.getName()).start();
        try {
            var orphan = runs.running("book-workflow", Instant.now().minusSeconds(60));
            var othersRun = runs.running("book-workflow", Instant.now().minusSeconds(30));
            var mine = runs.running("book-workflow", Instant.now().minusSeconds(10));
            try (var history = RunHistory.open(file)) {
                history.write(List.of(orphan, othersRun, mine)); // written by this process: owned by it
            }
            owner(file, orphan, ProcessOwner.of(killed.toHandle()));
            owner(file, othersRun, ProcessOwner.of(alive.toHandle()));
            killed.destroyForcibly(); // SIGKILL: it never says goodbye
            assertThat(killed.waitFor(10, TimeUnit.SECONDS)).isTrue();

            var registry = new RunRegistry();
            try (var history = RunHistory.open(file)) {
                var lost = history.recoverLost(registry);

                assertThat(lost).extracting(RunSnapshot::runId).containsExactly(orphan.runId());
                var stored = history.find(orphan.runId()).orElseThrow();
                assertThat(stored.status()).isEqualTo(RunStatus.LOST);
                assertThat(stored.error().message()).isEqualTo("the process that ran it (pid " + killed.pid() + ") ended without finishing it");
                assertThat(stored.currentNode()).isEqualTo("work"); // where it was: what a resume starts from
                assertThat(stored.input()).containsEntry("k", "v");
                assertThat(registry.get(orphan.runId())).contains(stored);
                assertThat(history.find(othersRun.runId()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
                assertThat(history.find(mine.runId()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING); // this process lives
                assertThat(history.page(new HistoryQuery(null, java.util.Set.of(RunStatus.LOST), null, null, 10, null)).runs())
                        .extracting(RunSnapshot::runId).containsExactly(orphan.runId());
                assertThat(history.recoverLost(new RunRegistry())).isEmpty(); // once only
            }
        } finally {
            killed.destroyForcibly();
            alive.destroyForcibly();
        }
    }

    @Test
    void aKilledOwnerNobodyHasReapedYetIsDeadAtStartUp() throws Exception {
        var file = dir.resolve("tether.db");
        try (var owner = UnreapedProcess.start(sleeper(), dir.resolve("owner.log"))) {
            var run = runs.running("book-workflow", Instant.now().minusSeconds(10));
            try (var history = RunHistory.open(file)) {
                history.write(List.of(run));
            }
            owner(file, run, ProcessOwner.of(owner.handle()));
            owner.kill(); // a zombie: its parent has not reaped it
            assertThat(owner.handle().isAlive()).as("what the JDK says of it").isTrue();

            var registry = new RunRegistry();
            try (var history = RunHistory.open(file)) {
                assertThat(history.recoverLost(registry)).extracting(RunSnapshot::runId).containsExactly(run.runId());
                assertThat(history.find(run.runId()).orElseThrow().status()).isEqualTo(RunStatus.LOST);
                assertThat(registry.get(run.runId()).orElseThrow().status()).isEqualTo(RunStatus.LOST);
            }
        }
    }

    @Test
    void aRunWhoseProcessDiesAfterTheStartBecomesLostWithoutARestart() throws Exception {
        var file = dir.resolve("tether.db");
        try (var owner = UnreapedProcess.start(sleeper(), dir.resolve("owner.log"));
             var beside = UnreapedProcess.start(sleeper(), dir.resolve("beside.log"))) {
            var dies = runs.running("book-workflow", Instant.now().minusSeconds(20));
            var lives = runs.running("book-workflow", Instant.now().minusSeconds(10));
            try (var history = RunHistory.open(file)) {
                history.write(List.of(dies, lives));
            }
            owner(file, dies, ProcessOwner.of(owner.handle()));
            owner(file, lives, ProcessOwner.of(beside.handle()));

            var registry = new RunRegistry();
            var told = new java.util.concurrent.CopyOnWriteArrayList<String>();
            try (var history = RunHistory.open(file)) {
                assertThat(history.recoverLost(registry)).as("both owners run at start-up").isEmpty();
                history.watchLost(registry, Duration.ofMillis(50), lost -> told.add(lost.runId()));
                var mine = runs.running("welcome-email", Instant.now());
                history.write(List.of(mine)); // this process's own run: never its business

                owner.kill(); // dies now, and stays unreaped
                Awaitility.await().atMost(Hang.ACROSS_PROCESSES)
                        .until(() -> history.find(dies.runId()).orElseThrow().status() == RunStatus.LOST);
                assertThat(owner.isZombie()).as("marked while still unreaped").isTrue();
                assertThat(history.find(dies.runId()).orElseThrow().error().message())
                        .isEqualTo("the process that ran it (pid " + owner.pid() + ") ended without finishing it");
                assertThat(registry.get(dies.runId()).orElseThrow().status()).isEqualTo(RunStatus.LOST);
                Awaitility.await().atMost(Hang.ACROSS_PROCESSES).until(() -> told.contains(dies.runId()));

                Thread.sleep(300); // several more looks
                assertThat(told).containsExactly(dies.runId());
                assertThat(history.find(lives.runId()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
                assertThat(history.find(mine.runId()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);

                owner.reap();
                beside.kill();
                Awaitility.await().atMost(Hang.ACROSS_PROCESSES)
                        .until(() -> history.find(lives.runId()).orElseThrow().status() == RunStatus.LOST);
                assertThat(told).containsExactly(dies.runId(), lives.runId());
                assertThat(history.find(mine.runId()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
            }
        }
    }

    @Test
    void aProcessWithTheSamePidButAnotherStartIsNotTheOwner() {
        var me = ProcessOwner.current();
        assertThat(me.isAlive()).isTrue();
        assertThat(new ProcessOwner(me.pid(), me.startMillis() - 60_000).isAlive()).isFalse();
    }

    private static void owner(Path file, RunSnapshot run, ProcessOwner owner) throws Exception {
        HistoryFixture.sql(file, "UPDATE run_history SET owner_pid = ?, owner_start = ? WHERE run_id = ?", owner.pid(), owner.startMillis(), run.runId());
    }

    private static ProcessBuilder sleeper() {
        return new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"), Sleeper.class.getName());
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A process that just lives until it is killed. */
    public static final class Sleeper {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(120_000);
        }
    }
}
