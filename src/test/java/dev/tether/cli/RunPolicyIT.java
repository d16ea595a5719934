package dev.tether.cli;

import dev.tether.testing.Hang;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.redis.CountingGraph;
import dev.tether.testing.LoopingGraph;
import dev.tether.testing.PluginJar;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Run policies against real `tether serve` processes driven by the command line: deadlines (a
 * cooperative node, and in process isolation a node that ignores cancels), a step limit on a graph
 * that loops, max-queued, a retry that resumes after the last good node and survives a SIGKILL and
 * restart of serve, and where policies are set and shown.
 */
@Tag("process")
class RunPolicyIT {
    Launcher tether;
    Process server;

    @AfterEach
    void stop() throws Exception {
        Launcher.stop(server);
    }

    private void plugins() throws Exception {
        PluginJar.write(tether.home.resolve("plugins").resolve("policy-tests.jar"), LoopingGraph.class, CountingGraph.class);
    }

    @Test
    void deadlinesStepLimitsAndMaxQueuedStopRunsAsACancelWouldAndSayWhy() throws Exception {
        tether = Launcher.inFreshHome("policies");
        plugins();
        server = tether.serve("--concurrency", "2");

        var slow = submit("book-workflow", "--input", "nodeMillis=600000", "--input", "jitter=0", "--max-runtime", "1s");
        var loop = submit("looping", "--max-steps", "30");
        var deadline = end(slow);
        assertThat(deadline.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(deadline.path("cancelOrigin").asText()).isEqualTo("DEADLINE");
        assertThat(deadline.path("cancelReason").asText()).isEqualTo("max-runtime 1s");
        assertThat(deadline.path("stopLevel").asText()).isEqualTo("cancel");
        // in its first node, or before it on a start slower than the deadline: either way no node finished
        assertThat(deadline.path("steps").asInt()).isZero();
        assertThat(Duration.between(instant(deadline, "startedAt"), instant(deadline, "cancelRequestedAt"))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(deadline.path("policySources").path("max-runtime").asText()).isEqualTo("run");

        var stepped = end(loop);
        assertThat(stepped.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(stepped.path("cancelOrigin").asText()).isEqualTo("STEP_LIMIT");
        assertThat(stepped.path("cancelReason").asText()).isEqualTo("max-steps 30");
        assertThat(stepped.path("stopLevel").asText()).isEqualTo("after-node");
        assertThat(stepped.path("steps").asInt()).isEqualTo(30);

        // both slots busy: a run that waits longer than its max-queued never starts
        var blockers = List.of(submit("book-workflow", "--input", "nodeMillis=600000", "--input", "jitter=0"),
                submit("book-workflow", "--input", "nodeMillis=600000", "--input", "jitter=0"));
        var expiring = submit("welcome-email", "--max-queued", "1s");
        var expired = end(expiring);
        assertThat(expired.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(expired.path("cancelOrigin").asText()).isEqualTo("EXPIRED");
        assertThat(expired.path("startedAt").isNull()).isTrue();
        for (var b : blockers) assertThat(tether.run("cancel", b, "--wait").exit()).isZero();

        // operators filter on who stopped a run
        assertThat(ids(tether.run("list", "--all", "--origin", "deadline", "--json").json())).containsExactly(slow);
        assertThat(ids(tether.run("list", "--all", "--origin", "step_limit,expired", "--json").json())).containsExactlyInAnyOrder(loop, expiring);
        assertThat(tether.run("list", "--all", "--origin", "meteor").exit()).isEqualTo(ExitCodes.BAD_INPUT);
        var human = tether.run("status", slow);
        assertThat(human.out()).contains("Stopped by its policy: max-runtime 1s", "max-runtime", "(run)");
    }

    @Test
    void inProcessIsolationADeadlineKillsANodeThatIgnoresItsCancelAfterTheGrace() throws Exception {
        tether = Launcher.inFreshHome("policies-process");
        server = tether.serve("--isolation", "process", "--cancel-grace", "1s", "--concurrency", "1");
        // a warm child first: the deadline counts from the start, and a run still waiting for its child JVM
        // when it passes is stopped cleanly there (nothing to kill)
        assertThat(end(submit("welcome-email")).path("status").asText()).isEqualTo("COMPLETED");
        var run = submit("stubborn", "--input", "seconds=600", "--max-runtime", "1s");
        var end = end(run);
        assertThat(end.path("status").asText()).isEqualTo("CANCELLED");
        assertThat(end.path("forced").asBoolean()).as("the ladder's last step: its process was killed").isTrue();
        assertThat(end.path("cancelOrigin").asText()).isEqualTo("DEADLINE");
        assertThat(end.path("stopLevel").asText()).isEqualTo("cancel");
        var started = instant(end, "startedAt");
        var asked = instant(end, "cancelRequestedAt");
        var ended = instant(end, "endedAt");
        assertThat(Duration.between(started, asked)).as("the deadline").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(Duration.between(asked, ended)).as("the grace before the kill").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        // how soon after deadline + grace it ends is BENCHMARKS.md's (the overshoot); here that the ladder ends, in a kill
    }

    @Test
    void aRetryResumesAfterTheLastGoodNodeAndSurvivesASigkillOfServe() throws Exception {
        tether = Launcher.inFreshHome("policies-retry");
        plugins();
        Files.writeString(tether.home.resolve("policies.properties"), """
                counted.retries = 2
                counted.retry-delay = 15s
                counted.retry-jitter = 0
                counted.max-runtime = 5m
                """);
        var graphs = tether.run("graphs", "--json").json();
        var counted = find(graphs.path("graphs"), "id", "counted");
        assertThat(counted.path("policy").path("retries").asText()).isEqualTo("2");
        assertThat(counted.path("policySources").path("retries").asText()).isEqualTo("policies.properties");
        assertThat(tether.run("graphs").out()).contains("counted", "retries 2 (policies.properties)");

        server = tether.serve();
        var log = tether.home.resolve("nodes.log");
        var first = submit("counted", "--input", "log=" + log, "--input", "tag=t", "--input", "failAt=n3",
                "--input", "failMarker=" + tether.home.resolve("failed-once"));
        // serve is killed as soon as the retry is in its durable schedule, well within the backoff: no
        // answer of a (slower) command line is waited for first
        var retryId = await().atMost(Hang.ACROSS_PROCESSES).pollInterval(Duration.ofMillis(20))
                .until(() -> retryScheduled(first.trim()), r -> r != null);
        server.destroyForcibly(); // within the backoff: no goodbye
        assertThat(server.waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)).isTrue();
        server = tether.serve();
        assertThat(end(first).path("status").asText()).isEqualTo("FAILED");
        var retry = await().atMost(Hang.ACROSS_PROCESSES).until(() -> retryOf(first), r -> r != null);
        assertThat(retry.path("runId").asText()).isEqualTo(retryId);
        assertThat(retry.path("attempt").asInt()).isEqualTo(2);
        assertThat(retry.path("maxAttempts").asInt()).isEqualTo(3);
        assertThat(retry.path("retryAfter").asText()).contains("transient failure in n3");
        var done = end(retryId);
        assertThat(done.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(instant(done, "startedAt")).isAfterOrEqualTo(instant(retry, "retryDue"));
        var starts = new TreeMap<String, Long>();
        for (var line : Files.readAllLines(log)) {
            var f = line.split(" ");
            if (f.length == 4 && f[0].equals("t")) starts.merge(f[1], 1L, Long::sum);
        }
        assertThat(starts).as("n1 and n2 completed in the first attempt; only n3 and after ran again")
                .containsExactly(Map.entry("n1", 1L), Map.entry("n2", 1L), Map.entry("n3", 2L), Map.entry("n4", 1L), Map.entry("n5", 1L));
    }

    /** The id of the retry serve keeps in its retry schedule (tether.db) for {@code runId}, or null before it does. */
    private String retryScheduled(String runId) {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + tether.home.resolve("tether.db") + "?open_mode=1");
             var q = c.prepareStatement("SELECT run_id, request FROM retry_schedule")) {
            q.setQueryTimeout(5);
            try (var rs = q.executeQuery()) {
                while (rs.next()) if (rs.getString(2).contains(runId)) return rs.getString(1);
            }
            return null;
        } catch (java.sql.SQLException notYet) { // no schedule yet, or a write under way
            return null;
        }
    }

    private JsonNode retryOf(String runId) {
        var r = tether.run("list", "--all", "--json");
        if (r.exit() != 0) return null;
        for (var run : r.json().path("runs")) if (runId.equals(run.path("retryOf").asText())) return run;
        return null;
    }

    private JsonNode end(String id) {
        await().atMost(Hang.ACROSS_PROCESSES).pollInterval(Duration.ofMillis(200)).until(() -> {
            var r = tether.run("status", id, "--json");
            return r.exit() == 0 && !r.json().path("cancellable").asBoolean() && !r.json().path("status").asText().equals("CANCELLING");
        });
        return tether.run("status", id, "--json").json();
    }

    private String submit(String... args) {
        var all = new ArrayList<String>(List.of("submit"));
        all.addAll(List.of(args));
        var r = tether.run(all.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out();
    }

    private static Instant instant(JsonNode run, String field) {
        return Instant.parse(run.path(field).asText());
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (var n : array) if (value.equals(n.path(field).asText())) return n;
        throw new AssertionError(value + " not in " + array);
    }

    private static List<String> ids(JsonNode page) {
        var out = new ArrayList<String>();
        page.path("runs").forEach(r -> out.add(r.path("runId").asText()));
        return out;
    }
}
