package dev.tether.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.testing.Hang;
import dev.tether.control.ControlFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.tether.testing.Hang.eventuallyAcrossProcesses;

/** `tether` against a running `tether serve`, both real processes: what scripts rely on. */
@org.junit.jupiter.api.Tag("process")
class CommandLineIT {
    static Launcher tether;
    static Process server;
    /** A wait of the command line that only a hang exhausts (see {@link Hang}). */
    static final String HANG = Hang.ACROSS_PROCESSES_SECONDS + "s";

    @BeforeAll
    static void startServer() throws Exception {
        tether = Launcher.inFreshHome("cli");
        // the stubborn graph runs in a child JVM, which a kill can stop; every other graph on threads
        java.nio.file.Files.writeString(tether.home.resolve("isolation.properties"), "stubborn = process\n");
        server = tether.serve("--cancel-grace", "10s", "--tcp-port", "0");
    }

    @AfterAll
    static void stopServer() throws Exception {
        Launcher.stop(server);
    }

    private static String submitSleeper() {
        var r = tether.run("submit", "book-workflow", "--input", "nodeMillis=3600000", "--input", "jitter=0");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).matches("[0-9a-f-]{36}");
        return r.out();
    }

    private static JsonNode status(String id) {
        var r = tether.run("status", id, "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        return r.json();
    }

    @Test
    void submitPrintsTheRunIdAndListShowsTheRunWithItsRoutedQueue() {
        var id = submitSleeper();
        var list = tether.run("list", "--json");

        assertThat(list.exit()).isZero();
        var run = findRun(list.json(), id);
        assertThat(run.path("graph").asText()).isEqualTo("book-workflow");
        assertThat(run.path("queue").asText()).isEqualTo("ai_processing");
        assertThat(run.path("status").asText()).isIn("QUEUED", "RUNNING");
        assertThat(run.path("cancellable").asBoolean()).isTrue();
        tether.run("cancel", id);
    }

    @Test
    void statusAcceptsTheShortIdAndPrintsEveryField() {
        var id = submitSleeper();
        var shortId = id.substring(id.length() - 8);
        assertThat(status(shortId).path("runId").asText()).isEqualTo(id);

        var human = tether.run("status", shortId);
        assertThat(human.out()).startsWith("Run " + id + ":").contains("  Graph: book-workflow", "  Cancellable: yes", "  Runtime: ");
        tether.run("cancel", id);
    }

    @Test
    void cancelWithWaitReturnsOnceTheRunIsCancelled() {
        var id = submitSleeper();
        eventuallyAcrossProcesses().until(() -> status(id).path("status").asText().equals("RUNNING"));

        var r = tether.run("cancel", id, "--wait", "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().path("outcome").asText()).isEqualTo("CANCELLING");
        assertThat(r.json().path("run").path("status").asText()).isEqualTo("CANCELLED");
        // how soon: CancelLatencyBench (its node sleeps an hour: the cancel ended it)
        assertThat(r.json().path("run").path("cancelLatencyMillis").isNumber()).isTrue();
    }

    @Test
    void resumeStartsALinkedAttemptAndRefusalsAreExit6WithTheReason() {
        var id = submitSleeper();
        eventuallyAcrossProcesses().until(() -> status(id).path("currentNode").asText().equals("outline"));
        assertThat(tether.run("cancel", id, "--wait").exit()).isZero();

        var human = tether.run("status", id);
        assertThat(human.out()).contains("  Checkpoints (resume --from NODE):", "    after __START__");
        var refused = tether.run("resume", id, "--from", "publish");
        assertThat(refused.exit()).isEqualTo(6);
        assertThat(refused.err()).startsWith("tether: run ").contains("no checkpoint after node 'publish'")
                .contains("it can resume after: __START__").doesNotContain("\n");

        var resumed = tether.run("resume", id.substring(id.length() - 8));
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        var attempt = resumed.out();
        assertThat(attempt).matches("[0-9a-f-]{36}").isNotEqualTo(id);
        var view = status(attempt);
        assertThat(view.path("resumeOf").asText()).isEqualTo(id);
        assertThat(view.path("resumedAfterNode").asText()).isEqualTo("__START__");
        assertThat(view.path("attempts")).extracting(JsonNode::asText).containsExactly(id, attempt);

        var rollback = tether.run("cancel", attempt, "--mode", "rollback", "--wait");
        assertThat(rollback.exit()).as(rollback.err()).isZero();
        eventuallyAcrossProcesses().until(() -> status(attempt).path("checkpoints").isEmpty());
        var nothing = tether.run("resume", attempt);
        assertThat(nothing.exit()).isEqualTo(6);
        assertThat(nothing.err()).contains("has no checkpoints");
        assertThat(tether.run("cancel", id, "--mode", "undo").exit()).isEqualTo(2);
    }

    @Test
    void cancelAllStopsEveryActiveRun() {
        var ids = new ArrayList<String>();
        for (int i = 0; i < 3; i++) ids.add(submitSleeper());

        var r = tether.run("cancel-all", "--wait", "--timeout", HANG, "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        var cancelled = new ArrayList<String>();
        r.json().path("cancelled").forEach(n -> cancelled.add(n.asText()));
        assertThat(cancelled).containsAll(ids);
        for (var id : ids) assertThat(status(id).path("status").asText()).isEqualTo("CANCELLED");
        assertThat(tether.run("list", "--json").json()).isEmpty();
    }

    @Test
    void cancelAllReportsEachRunsOutcomeAndTheRunsRecordWhoAsked() {
        var cooperative = submitSleeper();
        var stubborn = tether.run("submit", "stubborn", "--input", "seconds=3600").out();
        eventuallyAcrossProcesses().until(() -> "ignore-cancel".equals(status(stubborn).path("currentNode").asText())
                && "RUNNING".equals(status(cooperative).path("status").asText()));

        var r = tether.run("cancel-all", "--wait", "--timeout", HANG, "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        var outcomes = new java.util.HashMap<String, JsonNode>();
        r.json().path("runs").forEach(n -> outcomes.put(n.path("runId").asText(), n));
        assertThat(outcomes.get(cooperative).path("outcome").asText()).isEqualTo("STOPPED_CLEANLY");
        assertThat(outcomes.get(cooperative).path("cancelLatencyMillis").isNumber()).isTrue();
        assertThat(outcomes.get(cooperative).path("cancelOrigin").asText()).isEqualTo("CLI");
        assertThat(outcomes.get(stubborn).path("outcome").asText()).as("killed after its 10 s grace").isEqualTo("FORCED");
        assertThat(outcomes.get(stubborn).path("status").asText()).isEqualTo("CANCELLED");
        assertThat(status(cooperative).path("stopLevel").asText()).isEqualTo("cancel");
        assertThat(status(cooperative).path("cancelOrigin").asText()).isEqualTo("CLI");

        var another = submitSleeper();
        eventuallyAcrossProcesses().until(() -> status(another).path("status").asText().equals("RUNNING"));
        var table = tether.run("cancel-all");
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out()).startsWith("RUN ").contains(another.substring(28) + "  book-workflow  stopped cleanly")
                .endsWith("1 run: 1 stopped cleanly, 0 forced, 0 still running, 0 already finished");
        assertThat(tether.run("cancel-all").out()).isEqualTo("No active runs.");
    }

    @Test
    void waitingOnARunThatIgnoresItsCancelTimesOutWithExit5NamingItsState() {
        var r0 = tether.run("submit", "stubborn", "--input", "seconds=3600"); // it is killed after the grace anyway
        var id = r0.out();
        eventuallyAcrossProcesses().until(() -> "ignore-cancel".equals(status(id).path("currentNode").asText()));

        var r = tether.run("cancel", id, "--wait", "--timeout", "1s");

        assertThat(r.exit()).isEqualTo(ExitCodes.WAIT_TIMED_OUT);
        assertThat(r.err()).isEqualTo("tether: run " + id.substring(28) + " is CANCELLING after 1s: it has not stopped yet");
    }

    @Test
    void graphsShowTheirIsolation() {
        var r = tether.run("graphs", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().path("graphs")).as("graphs listed").isNotEmpty();
        for (var g : r.json().path("graphs")) {
            assertThat(g.path("isolation").asText()).as(g.path("id").asText())
                    .isEqualTo(g.path("id").asText().equals("stubborn") ? "process" : "thread");
        }
        assertThat(tether.run("graphs").out()).contains("ISOLATION").containsPattern("stubborn +default +process");
    }

    @Test
    void aKillStopsARunThatIgnoresItsCancelAndReportsItForced() {
        var id = tether.run("submit", "stubborn", "--input", "seconds=600").out();
        eventuallyAcrossProcesses().until(() -> "ignore-cancel".equals(status(id).path("currentNode").asText()));

        var r = tether.run("cancel", id, "--level", "kill", "--wait", "--timeout", HANG, "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json().path("run").path("status").asText()).isEqualTo("CANCELLED");
        assertThat(r.json().path("run").path("forced").asBoolean()).isTrue();
        assertThat(r.json().path("run").path("cancelledAtNode").asText()).isEqualTo("ignore-cancel");
        assertThat(tether.run("status", id).out()).contains("  Forced: yes");
    }

    @Test
    void anUnknownStopLevelIsExit2AndA400() throws Exception {
        var id = submitSleeper();
        var r = tether.run("cancel", id, "--level", "hard");
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err()).startsWith("tether: ").contains("after-node, cancel or kill");

        var file = ControlFile.read(tether.controlFile());
        var api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(file.baseUrl() + "/api/runs/" + id + "/cancel?level=hard"))
                .header("Authorization", "Bearer " + file.token()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).isEqualTo(400);
        assertThat(status(id).path("status").asText()).as("nothing was cancelled").isIn("QUEUED", "RUNNING");

        var after = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(file.baseUrl() + "/api/runs/" + id + "/cancel?level=after-node"))
                .header("Authorization", "Bearer " + file.token()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(status(id).path("status").asText()).isIn("CANCELLING", "CANCELLED");
        tether.run("cancel", id); // escalate: the sleeping node is not waited for
    }

    @Test
    void anUnknownRunIsExit3() {
        var r = tether.run("status", "ffffffff");
        assertThat(r.exit()).isEqualTo(ExitCodes.UNKNOWN_RUN);
        assertThat(r.err()).isEqualTo("tether: no run 'ffffffff'");
        assertThat(tether.run("cancel", "ffffffff").exit()).isEqualTo(ExitCodes.UNKNOWN_RUN);
    }

    @Test
    void badInputIsExit2WithOneLineAndSubmitsNothing() {
        int before = tether.run("list", "--all", "--limit", "1000", "--json").json().path("runs").size();
        var noEquals = tether.run("submit", "book-workflow", "--input", "chapters");
        var wrongType = tether.run("submit", "book-workflow", "--input", "chapters=many");
        var unknownGraph = tether.run("submit", "no-such-graph");
        var badQueue = tether.run("submit", "book-workflow", "--queue", "no spaces");
        var badDuration = tether.run("cancel", "x", "--wait", "--timeout", "soon");

        assertThat(List.of(noEquals, wrongType, unknownGraph, badQueue, badDuration)).allSatisfy(r -> {
            assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.err()).startsWith("tether: ");
        });
        assertThat(noEquals.err()).isEqualTo("tether: input 'chapters' is not of the form key=value");
        assertThat(wrongType.err()).isEqualTo("tether: input 'chapters' must be an integer, got 'many'");
        assertThat(unknownGraph.err()).startsWith("tether: unknown graph 'no-such-graph' (known: book-workflow");
        assertThat(tether.run("list", "--all", "--limit", "1000", "--json").json().path("runs").size()).isEqualTo(before);
    }

    @Test
    void theApiRefusesRequestsWithoutTheRightTokenAndListensOnLoopbackOnly() throws Exception {
        var file = ControlFile.read(tether.controlFile());
        var http = HttpClient.newHttpClient();
        var uri = URI.create(file.baseUrl() + "/api/runs");

        var none = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        var wrong = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer nope").build(), HttpResponse.BodyHandlers.ofString());
        var right = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + file.token()).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(java.nio.file.Files.getPosixFilePermissions(tether.controlFile()))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(java.nio.file.Files.getPosixFilePermissions(file.socketPath())).as("the control socket")
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        var ss = new ProcessBuilder("sh", "-c", "ss -ltn 2>/dev/null || netstat -ltn").start();
        var sockets = new String(ss.getInputStream().readAllBytes());
        if (!sockets.isBlank()) { // the listener is bound to the loopback address (shown plain or IPv4-mapped), never a wildcard
            assertThat(sockets).containsPattern("127\\.0\\.0\\.1\\]?:" + file.port() + "\\s")
                    .doesNotContain("*:" + file.port() + " ").doesNotContain("0.0.0.0:" + file.port() + " ").doesNotContain("[::]:" + file.port() + " ");
        }
    }

    @Test
    void theEventStreamSendsRunChanges() throws Exception {
        var file = ControlFile.read(tether.controlFile());
        var http = HttpClient.newHttpClient();
        var request = HttpRequest.newBuilder(URI.create(file.baseUrl() + "/api/events"))
                .header("Authorization", "Bearer " + file.token()).timeout(Duration.ofSeconds(20)).build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");

        var id = tether.run("submit", "welcome-email").out();
        try (var lines = response.body()) {
            var seen = lines.filter(l -> l.startsWith("data: ") && l.contains(id) && l.contains("\"status\":\"COMPLETED\"")).findFirst();
            assertThat(seen).isPresent();
        }
    }

    private static JsonNode findRun(JsonNode list, String id) {
        for (var n : list) if (n.path("runId").asText().equals(id)) return n;
        throw new AssertionError("run " + id + " not in " + list);
    }
}
