package dev.tether.cli;

import dev.tether.testing.Hang;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The history of real `tether serve` processes: it outlives them, even a SIGKILL, and shows what the killed one left behind. */
@Tag("process")
class DurableHistoryIT {
    Launcher tether;
    Process server;

    @AfterEach
    void stop() throws Exception {
        Launcher.stop(server);
    }

    @Test
    void aServeKilledMidRunLeavesTheRunLostAfterItsRestartAndTheHistorySurvivesEveryRestart() throws Exception {
        tether = Launcher.inFreshHome("history");
        server = tether.serve();
        var done = submit("welcome-email");
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> status(done).equals("COMPLETED"));
        var slow = submit("book-workflow", "--input", "nodeMillis=600000", "--input", "jitter=0");
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> status(slow).equals("RUNNING"));
        Thread.sleep(300); // the writer's batch (20 ms) is long written

        server.destroyForcibly(); // SIGKILL mid-run: no shutdown hook, no goodbye
        assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();
        long killedPid = server.pid();

        // nothing running: list --all reads the store itself, and marks nothing
        var offline = history();
        assertThat(find(offline, slow).path("status").asText()).isEqualTo("RUNNING");
        assertThat(find(offline, done).path("status").asText()).isEqualTo("COMPLETED");

        server = tether.serve();
        var lost = find(history(), slow);
        assertThat(lost.path("status").asText()).isEqualTo("LOST");
        assertThat(lost.path("errorMessage").asText()).isEqualTo("the process that ran it (pid " + killedPid + ") ended without finishing it");
        assertThat(lost.path("currentNode").asText()).isNotEmpty();
        assertThat(status(slow)).isEqualTo("LOST");
        var onlyLost = tether.run("list", "--all", "--status", "lost", "--graph", "book-workflow", "--json");
        assertThat(onlyLost.exit()).as(onlyLost.err()).isZero();
        assertThat(ids(onlyLost.json())).containsExactly(slow);

        // another process opens the same file while serve has it open
        try (var beside = dev.tether.store.RunHistory.open(tether.home.resolve("tether.db"))) {
            assertThat(beside.find(slow).orElseThrow().status()).isEqualTo(dev.tether.run.RunStatus.LOST);
        }

        // a clean stop (SIGTERM) cancels what runs and writes its end before exiting; the next start finds everything
        var cancelledAtExit = submit("book-workflow", "--input", "nodeMillis=600000", "--input", "jitter=0");
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> status(cancelledAtExit).equals("RUNNING"));
        Launcher.stop(server);
        server = tether.serve();
        var after = history();
        assertThat(find(after, done).path("status").asText()).isEqualTo("COMPLETED");
        assertThat(find(after, slow).path("status").asText()).isEqualTo("LOST");
        assertThat(find(after, cancelledAtExit).path("status").asText()).isEqualTo("CANCELLED");
        assertThat(after.path("next").isNull()).isTrue();
        assertThat(java.nio.file.Files.readString(tether.home.resolve("serve.log"))).doesNotContain("is LOST");
    }

    @Test
    void aRunOfAKilledServeIsLostWithItsCheckpointsAndItsResumeRunsOnlyTheNodesAfterThem() throws Exception {
        tether = Launcher.inFreshHome("resume-after-kill");
        server = tether.serve();
        var run = submit("book-workflow", "--input", "nodeMillis=3000", "--input", "jitter=0", "--input", "maxRevisions=0");
        await().atMost(Hang.ACROSS_PROCESSES).until(() -> "draft".equals(node(run)));
        server.destroyForcibly(); // SIGKILL inside draft: outline and research are checkpointed
        assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();

        server = tether.serve();
        assertThat(status(run)).isEqualTo("LOST");
        var described = tether.run("status", run);
        assertThat(described.out()).contains("    after __START__", "    after outline", "    after research").doesNotContain("after draft");

        var resumed = tether.run("resume", run.substring(run.length() - 8), "--wait", "--timeout", "2m");
        assertThat(resumed.exit()).as(resumed.out() + resumed.err()).isZero();
        assertThat(resumed.out()).contains("  Status: COMPLETED", "  Resumes: " + run + " after node research");
        var timeline = resumed.out().substring(resumed.out().indexOf("  Timeline:"));
        assertThat(timeline).contains("draft", "review", "publish").doesNotContain("outline").doesNotContain("research");
    }

    /**
     * A serve SIGKILLed mid-run whose parent has not reaped it (a zombie) is dead: the next serve on
     * the same home finds its run LOST at once, while it is still unreaped, and `status` answers every
     * run `list --all` shows, the same way (a run only the history holds included).
     */
    @Test
    void aServeKilledButNotYetReapedIsDeadToTheNextOneAndStatusAgreesWithTheHistory() throws Exception {
        tether = Launcher.inFreshHome("zombie");
        try (var first = tether.serveUnreaped(tether.home.resolve("serve-1.log"))) {
            var done = submit("welcome-email");
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> status(done).equals("COMPLETED"));
            var slow = submit("book-workflow", "--input", "nodeMillis=600000", "--input", "jitter=0");
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> status(slow).equals("RUNNING"));
            Thread.sleep(300); // the writer's batch (20 ms) is long written

            first.kill(); // SIGKILL; nobody reaps it
            assertThat(first.isZombie()).isTrue();
            // nothing running: status reads the store as list --all does (read only, marking nothing)
            assertThat(find(history(), slow).path("status").asText()).isEqualTo("RUNNING");
            assertThat(status(slow)).isEqualTo("RUNNING");
            assertThat(status(done)).isEqualTo("COMPLETED");
            var unknown = tether.run("status", "0123456789abcdef");
            assertThat(unknown.exit()).as("a run the store does not hold: nothing to ask").isEqualTo(4);
            server = tether.serve();

            var lost = find(history(), slow);
            assertThat(lost.path("status").asText()).isEqualTo("LOST");
            assertThat(lost.path("errorMessage").asText()).isEqualTo("the process that ran it (pid " + first.pid() + ") ended without finishing it");
            assertThat(first.isZombie()).as("found dead while still unreaped").isTrue();
            for (var run : history().path("runs")) {
                var id = run.path("runId").asText();
                var one = tether.run("status", id, "--json");
                assertThat(one.exit()).as("status %s: %s", id, one.err()).isZero();
                assertThat(one.json().path("status").asText()).as("status and list --all agree on %s", id).isEqualTo(run.path("status").asText());
            }
            assertThat(status(done)).as("a run of the killed serve that only the history holds").isEqualTo("COMPLETED");
            var human = tether.run("status", slow.substring(slow.length() - 8));
            assertThat(human.exit()).as(human.err()).isZero();
            assertThat(human.out()).contains("LOST");
            var cancel = tether.run("cancel", done);
            assertThat(cancel.exit()).as(cancel.err()).isZero();
            assertThat(cancel.out()).contains("already finished");
            first.reap();
        }
    }

    /**
     * A run owned by another process that was alive when serve started (here a plain process standing
     * in for a console sharing the home) becomes LOST once that process dies, without a restart:
     * serve keeps looking while it runs.
     */
    @Test
    void aRunWhoseProcessDiesWhileServeRunsBecomesLostWithoutARestart() throws Exception {
        tether = Launcher.inFreshHome("lost-later");
        try (var owner = dev.tether.testing.UnreapedProcess.start(new ProcessBuilder("sleep", "600"), tether.home.resolve("owner.log"))) {
            var file = tether.home.resolve("tether.db");
            var run = runningRun();
            try (var history = dev.tether.store.RunHistory.open(file)) {
                history.write(List.of(run));
            }
            var start = owner.handle().info().startInstant().orElseThrow().toEpochMilli();
            try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
                 var u = c.prepareStatement("UPDATE run_history SET owner_pid = ?, owner_start = ? WHERE run_id = ?")) {
                u.setLong(1, owner.pid());
                u.setLong(2, start);
                u.setString(3, run.runId());
                assertThat(u.executeUpdate()).isOne();
            }

            server = tether.serve();
            assertThat(status(run.runId())).as("its process lives: found in the history as it is").isEqualTo("RUNNING");
            assertThat(find(history(), run.runId()).path("status").asText()).isEqualTo("RUNNING");

            owner.kill(); // and stays unreaped
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> status(run.runId()).equals("LOST"));
            assertThat(find(history(), run.runId()).path("status").asText()).isEqualTo("LOST");
            assertThat(server.isAlive()).as("no restart").isTrue();
            owner.reap();
        }
    }

    private static dev.tether.run.RunSnapshot runningRun() {
        var registry = new dev.tether.registry.RunRegistry();
        var id = dev.tether.run.RunIds.next();
        var at = java.time.Instant.now().minusSeconds(5);
        registry.apply(new dev.tether.run.RunEvent.Submitted(id, "book-workflow", "default", java.util.Map.of(), at));
        registry.apply(new dev.tether.run.RunEvent.Started(id, "local", at.plusMillis(1)));
        return registry.apply(new dev.tether.run.RunEvent.NodeStarted(id, "outline", at.plusMillis(2))).after();
    }

    private String node(String id) {
        var r = tether.run("status", id, "--json");
        return r.exit() == 0 ? r.json().path("currentNode").asText() : "?";
    }

    @Test
    void listAllPagesWithACursorAndPrintsTheNextCommand() throws Exception {
        tether = Launcher.inFreshHome("history-pages");
        server = tether.serve();
        var ids = new ArrayList<String>();
        for (int i = 0; i < 5; i++) {
            var id = submit("welcome-email");
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> status(id).equals("COMPLETED"));
            ids.add(0, id);
        }
        var first = tether.run("list", "--all", "--limit", "2", "--json").json();
        assertThat(ids(first)).isEqualTo(ids.subList(0, 2));
        var second = tether.run("list", "--all", "--limit", "2", "--cursor", first.path("next").asText(), "--json").json();
        assertThat(ids(second)).isEqualTo(ids.subList(2, 4));

        var human = tether.run("list", "--all", "--limit", "2");
        assertThat(human.out()).startsWith("RUN ").contains(ids.get(0).substring(28), "welcome-email", "COMPLETED")
                .contains("Older runs: tether list --all --limit 2 --cursor " + first.path("next").asText());
    }

    private String submit(String... args) {
        var all = new ArrayList<String>(List.of("submit"));
        all.addAll(List.of(args));
        var r = tether.run(all.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out();
    }

    private String status(String id) {
        var r = tether.run("status", id, "--json");
        return r.exit() == 0 ? r.json().path("status").asText() : "?";
    }

    private JsonNode history() {
        var r = tether.run("list", "--all", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        return r.json();
    }

    private static JsonNode find(JsonNode page, String id) {
        for (var run : page.path("runs")) if (run.path("runId").asText().equals(id)) return run;
        throw new AssertionError("run " + id + " not in " + page);
    }

    private static List<String> ids(JsonNode page) {
        var out = new ArrayList<String>();
        page.path("runs").forEach(r -> out.add(r.path("runId").asText()));
        return out;
    }
}
