package dev.tether.cli;

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
        await().atMost(20, TimeUnit.SECONDS).until(() -> status(done).equals("COMPLETED"));
        var slow = submit("book-workflow", "--input", "nodeMillis=600000", "--input", "jitter=0");
        await().atMost(20, TimeUnit.SECONDS).until(() -> status(slow).equals("RUNNING"));
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
        await().atMost(20, TimeUnit.SECONDS).until(() -> status(cancelledAtExit).equals("RUNNING"));
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
        await().atMost(30, TimeUnit.SECONDS).until(() -> "draft".equals(node(run)));
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
            await().atMost(20, TimeUnit.SECONDS).until(() -> status(id).equals("COMPLETED"));
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
