package dev.tether.control;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The control API in this process: a real server on a real engine, spoken to with real HTTP. */
class ControlApiTest {
    @TempDir Path home;
    LocalEngine engine;
    ControlServer server;
    RawHttp http;
    RawHttp tcp;
    HttpControlClient client;

    @BeforeEach
    void start() throws Exception {
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2), GraphCatalog.load(null), new RunRegistry());
        server = ControlServer.start(engine, ControlServer.claim(home.resolve("control.json")), new ControlServer.Options(null, 0));
        http = new RawHttp(server.published());
        tcp = RawHttp.tcp(server.published());
        client = HttpControlClient.connect(server.controlFile());
    }

    @AfterEach
    void stop() {
        server.close();
        engine.shutdown(Duration.ofSeconds(5));
    }

    private String sleeper() {
        return client.submit("book-workflow", null, Map.of("nodeMillis", "60000", "jitter", "0")).runId();
    }

    @Test
    void aLargeAnswerIsWrittenAsItIsMadeAndASmallOneIsSentWhole() throws Exception {
        var big = "x".repeat(20_000);
        var ids = new java.util.ArrayList<String>();
        for (int i = 0; i < 6; i++) ids.add(engine.submit("book-workflow", null, Map.of("nodeMillis", 60_000, "jitter", 0.0, "note", big)).runId());
        var base = "http://127.0.0.1:" + server.published().port();
        try (var h = java.net.http.HttpClient.newHttpClient()) {
            java.util.function.Function<String, java.net.http.HttpResponse<String>> get = path -> {
                try {
                    return h.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                            .header("Authorization", "Bearer " + server.published().token()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            var list = get.apply("/api/runs");
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body().length()).isGreaterThan(HttpAnswer.WHOLE_UP_TO);
            assertThat(list.headers().firstValue("content-length")).as("streamed: no length known up front").isEmpty();
            var listed = dev.tether.json.Json.mapper().readTree(list.body());
            var listedIds = new java.util.ArrayList<String>();
            listed.forEach(r -> listedIds.add(r.path("runId").asText()));
            assertThat(listedIds).containsAll(ids);
            var one = get.apply("/api/graphs");
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(one.headers().firstValue("content-length")).as("sent whole").hasValue(Integer.toString(one.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
        }
        assertThat(client.list(false)).extracting(r -> r.runId()).as("the command line's client reads a streamed answer").containsAll(ids);
        for (var id : ids) engine.cancel(id, CancelRequest.DEFAULT);
    }

    @Test
    void activeRunsComeAPageAtATimeInIdOrderWithTheNextCursorInAHeader() throws Exception {
        var ids = new java.util.ArrayList<String>();
        for (int i = 0; i < 7; i++) ids.add(sleeper()); // two run, five wait
        ids.sort(null);
        var seen = new java.util.ArrayList<String>();
        var q = dev.tether.run.ActiveQuery.first(3);
        for (var page = client.active(q); ; page = client.active(q = q.after(page.next()))) {
            assertThat(page.runs().size()).isLessThanOrEqualTo(3);
            page.runs().forEach(r -> seen.add(r.runId()));
            if (page.next() == null) break;
            assertThat(page.next()).isEqualTo(page.runs().getLast().runId());
        }
        assertThat(seen).containsExactlyElementsOf(ids);
        var queued = client.active(new dev.tether.run.ActiveQuery(java.util.Set.of(RunStatus.QUEUED), "book-workflow",
                client.get(ids.getFirst()).queue(), null, 100, null));
        assertThat(queued.runs()).hasSize(5).allSatisfy(r -> assertThat(r.status()).isEqualTo(RunStatus.QUEUED));
        assertThat(queued.next()).isNull();

        var first = http.call("GET", "/api/runs?limit=3&graph=book-workflow", null);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json()).hasSize(3);
        assertThat(first.headers()).containsEntry("x-next-cursor", ids.get(2))
                .containsEntry("link", "</api/runs?cursor=" + ids.get(2) + "&graph=book-workflow&limit=3>; rel=\"next\"");
        var last = http.call("GET", "/api/runs?limit=3&graph=book-workflow&cursor=" + ids.get(5), null);
        assertThat(last.json()).hasSize(1);
        assertThat(last.headers()).doesNotContainKey("x-next-cursor").doesNotContainKey("link");
        for (var bad : java.util.List.of("limit=0", "limit=10001", "limit=x", "status=COMPLETED", "status=nope", "cursor=garbage",
                "cursor=" + ids.getFirst() + "0", "color=red", "all=true&limit=3")) {
            var answer = http.call("GET", "/api/runs?" + bad, null);
            assertThat(answer.status()).as(bad).isEqualTo(400);
            assertThat(answer.error()).as(bad).doesNotContain("\n").isNotBlank();
        }
        for (var id : ids) engine.cancel(id, CancelRequest.DEFAULT);
    }

    @Test
    void theClientDrivesEveryEndpoint() {
        assertThat(client.graphs()).extracting(g -> g.id()).contains("book-workflow", "welcome-email");
        var id = sleeper();
        assertThat(client.get(id.substring(id.length() - 8)).runId()).isEqualTo(id);
        assertThat(client.get(id.substring(0, 8)).runId()).isEqualTo(id);
        assertThat(client.list(false)).extracting(r -> r.runId()).contains(id);
        assertThat(client.hello()).containsEntry("instanceId", server.published().instanceId());
        assertThat(client.stats().capacity()).isEqualTo(2);
        assertThat(client.mode()).isEqualTo("embedded");
        var cancel = client.cancel(id, CancelRequest.DEFAULT);
        assertThat(cancel.runId()).isEqualTo(id);
        assertThat(client.awaitTerminal(id, Hang.IN_PROCESS)).hasValueSatisfying(r -> assertThat(r.status()).isEqualTo(RunStatus.CANCELLED));
        assertThat(client.cancelAll(CancelRequest.DEFAULT, java.time.Duration.ZERO).cancelled()).isEmpty();
    }

    @Test
    void aCancelledRunIsResumedOverHttpAndARefusedResumeSaysWhy() throws Exception {
        var id = sleeper();
        org.awaitility.Awaitility.await().atMost(Hang.IN_PROCESS)
                .until(() -> "outline".equals(client.get(id).currentNode()));
        var active = http.call("POST", "/api/runs/" + id + "/resume", "");
        assertThat(active.status()).isEqualTo(409);
        assertThat(active.body()).contains("not-resumable").contains("cancel it before resuming it");

        client.cancel(id, CancelRequest.DEFAULT);
        client.awaitTerminal(id, Hang.IN_PROCESS);
        assertThat(client.checkpoints(id)).extracting(c -> c.node()).containsExactly("__START__");

        var noSuchNode = http.call("POST", "/api/runs/" + id + "/resume?from=publish", "");
        assertThat(noSuchNode.status()).isEqualTo(409);
        assertThat(noSuchNode.body()).contains("no checkpoint after node 'publish'").contains("it can resume after: __START__");
        assertThatThrownBy(() -> client.resume(id, "publish")).isInstanceOfSatisfying(ControlException.class,
                e -> assertThat(e.kind()).isEqualTo(ControlException.Kind.NOT_RESUMABLE));

        var created = http.call("POST", "/api/runs/" + id + "/resume?from=__START__", "");
        assertThat(created.status()).isEqualTo(201);
        var attempt = dev.tether.json.Json.read(created.body(), dev.tether.run.RunSnapshot.class);
        assertThat(attempt.resumeOf().runId()).isEqualTo(id);
        assertThat(attempt.resumeOf().node()).isEqualTo("__START__");
        assertThat(client.attempts(id)).extracting(r -> r.runId()).containsExactly(id, attempt.runId());

        var rolledBack = client.cancel(attempt.runId(), CancelRequest.DEFAULT.withMode(dev.tether.run.CancelMode.ROLLBACK));
        assertThat(rolledBack.runId()).isEqualTo(attempt.runId());
        client.awaitTerminal(attempt.runId(), Hang.IN_PROCESS);
        org.awaitility.Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> client.checkpoints(attempt.runId()).isEmpty());
        assertThat(http.call("POST", "/api/runs/" + id + "/cancel?mode=undo", "").status()).isEqualTo(400);
        assertThat(http.call("POST", "/api/runs/" + RunIdsForTest.unknown() + "/resume", "").status()).isEqualTo(404);
    }

    @Test
    void aCancelSaysWhoAskedAndCancelAllReportsEachRunsOutcome() throws Exception {
        var id = sleeper();
        var shortId = id.substring(id.length() - 8);
        var bad = http.call("POST", "/api/runs/" + shortId + "/cancel?origin=martian", "");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("kind").asText()).isEqualTo("bad-input");
        assertThat(engine.registry().get(id).orElseThrow().status()).as("a refused request changes nothing").isNotIn(RunStatus.CANCELLING, RunStatus.CANCELLED);

        var all = http.call("POST", "/api/cancel-all?waitMillis=10000&origin=signal", "");
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.json().path("cancelled").get(0).asText()).isEqualTo(id);
        var run = all.json().path("runs").get(0);
        assertThat(run.path("runId").asText()).isEqualTo(id);
        assertThat(run.path("outcome").asText()).isEqualTo("STOPPED_CLEANLY");
        assertThat(run.path("cancelOrigin").asText()).isEqualTo("SIGNAL");
        assertThat(engine.registry().get(id).orElseThrow().cancelOrigin()).isEqualTo(dev.tether.run.CancelOrigin.SIGNAL);
        var apiDefault = sleeper();
        assertThat(client.cancel(apiDefault, CancelRequest.DEFAULT).run().cancelOrigin()).isEqualTo(dev.tether.run.CancelOrigin.API);
    }

    @Test
    void unknownAndBadIdsAreTheirOwnErrors() {
        assertThatThrownBy(() -> client.get("ffffffff")).isInstanceOfSatisfying(ControlException.class,
                e -> assertThat(e.kind()).isEqualTo(ControlException.Kind.UNKNOWN_RUN));
        assertThatThrownBy(() -> client.get("abc")).isInstanceOfSatisfying(ControlException.class, e -> {
            assertThat(e.kind()).isEqualTo(ControlException.Kind.BAD_INPUT);
            assertThat(e.getMessage()).contains("too short");
        });
        assertThatThrownBy(() -> client.submit("no-such-graph", null, Map.of())).isInstanceOfSatisfying(ControlException.class,
                e -> assertThat(e.getMessage()).startsWith("unknown graph 'no-such-graph'"));
    }

    @Test
    void theSameRequestIdAnswersTheSameRunNeverASecondOne() throws Exception {
        var body = "{\"graph\":\"welcome-email\",\"input\":{\"to\":\"a@b.c\"}}";
        var first = http.call("POST", "/api/runs", body, "Idempotency-Key: order-42");
        var again = http.call("POST", "/api/runs", body, "Idempotency-Key: order-42");
        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.headers()).containsEntry("idempotent-replayed", "true");
        assertThat(again.json().path("runId").asText()).isEqualTo(first.json().path("runId").asText());
        assertThat(engine.registry().size()).isEqualTo(1);

        var inBody = "{\"graph\":\"welcome-email\",\"requestId\":\"order-43\"}";
        assertThat(http.call("POST", "/api/runs", inBody).json().path("runId").asText())
                .isEqualTo(http.call("POST", "/api/runs", inBody).json().path("runId").asText());
        assertThat(engine.registry().size()).isEqualTo(2);

        var reused = http.call("POST", "/api/runs", "{\"graph\":\"book-workflow\"}", "Idempotency-Key: order-42");
        assertThat(reused.status()).isEqualTo(409);
        assertThat(reused.kind()).isEqualTo("request-id-reused");
        assertThat(engine.registry().size()).isEqualTo(2);
    }

    @Test
    void concurrentSubmitsWithOneRequestIdMakeOneRun() throws Exception {
        try (var pool = Executors.newFixedThreadPool(8)) {
            var answers = new ArrayList<java.util.concurrent.Future<RawHttp.Answer>>();
            for (int i = 0; i < 16; i++) {
                answers.add(pool.submit(() -> http.call("POST", "/api/runs", "{\"graph\":\"welcome-email\"}", "Idempotency-Key: same")));
            }
            var ids = new java.util.HashSet<String>();
            for (var a : answers) ids.add(a.get(30, TimeUnit.SECONDS).json().path("runId").asText());
            assertThat(ids).hasSize(1);
        }
        assertThat(engine.registry().size()).isEqualTo(1);
    }

    @Test
    void theCommandLineClientSendsARequestIdAndNeverResendsAPost() throws Exception {
        // A socket that takes the request and drops the connection without answering.
        var fakePath = home.resolve("fake.sock");
        try (var fake = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            fake.bind(java.net.UnixDomainSocketAddress.of(fakePath));
            var connections = new java.util.concurrent.atomic.AtomicInteger();
            var heads = new java.util.concurrent.CopyOnWriteArrayList<String>();
            Thread.ofVirtual().start(() -> {
                while (fake.isOpen()) {
                    try (var s = fake.accept()) {
                        connections.incrementAndGet();
                        var buf = java.nio.ByteBuffer.allocate(4096);
                        s.read(buf);
                        heads.add(new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.ISO_8859_1));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            var file = server.published();
            var elsewhere = new ControlFile(file.pid(), fakePath.toString(), 0, file.token(), file.mode(), file.startedAt(),
                    file.instanceId(), file.processStart());
            var path = home.resolve("fake.json");
            elsewhere.write(path);
            var fakeClient = HttpControlClient.connect(path);

            assertThatThrownBy(() -> fakeClient.submit("welcome-email", null, Map.of()))
                    .isInstanceOfSatisfying(ControlException.class, e -> assertThat(e.kind()).isEqualTo(ControlException.Kind.UNREACHABLE));
            Thread.sleep(300);
            assertThat(connections.get()).as("the POST was sent once").isEqualTo(1);
            assertThat(heads.getFirst()).containsIgnoringCase("Idempotency-Key: ");
        } finally {
            java.nio.file.Files.deleteIfExists(fakePath);
        }
    }

    @Test
    void aClientTalksOnlyToTheInstanceThatWroteTheControlFile() throws Exception {
        var file = server.published();
        var impostor = new ControlFile(file.pid(), file.socket(), file.port(), file.token(), file.mode(), file.startedAt(),
                "another-instance", file.processStart());
        var path = home.resolve("other.json");
        impostor.write(path);
        assertThatThrownBy(() -> HttpControlClient.connect(path).list(false)).isInstanceOfSatisfying(ControlException.class, e -> {
            assertThat(e.kind()).isEqualTo(ControlException.Kind.UNREACHABLE);
            assertThat(e.getMessage()).contains("is not the Tether instance that wrote the control file");
        });
    }

    @Test
    void aControlFileAndSocketLeftByAKilledInstanceDoNotStopANewServerButALiveInstanceKeepsItsHome() throws Exception {
        var path = home.resolve("stale/control.json");
        // pid 1 is alive but is not Tether; a socket file nobody serves
        new ControlFile(1, home.resolve("stale/control.sock").toString(), 0, "old-token", "embedded", java.time.Instant.now(), "old", null)
                .write(path);
        java.nio.file.Files.writeString(home.resolve("stale/control.sock"), "left behind");
        try (var second = ControlServer.start(engine, path)) {
            assertThat(ControlFile.read(path).instanceId()).isEqualTo(second.published().instanceId());
            assertThat(HttpControlClient.connect(path).hello()).containsEntry("instanceId", second.published().instanceId());
        }
        // ...but a live instance keeps its home, whatever its control file says
        assertThatThrownBy(() -> ControlServer.start(engine, server.controlFile()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("another Tether instance (pid " + ProcessHandle.current().pid() + ")");
        java.nio.file.Files.delete(server.controlFile());
        assertThatThrownBy(() -> ControlServer.start(engine, server.controlFile()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("another Tether instance");
    }

    @Test
    void theTetherHomeIsCreatedPrivateAndTheClientRefusesAFileOthersCouldHaveWritten() throws Exception {
        var fresh = home.resolve("new-home");
        var file = fresh.resolve("control.json");
        try (var s = ControlServer.start(engine, file)) {
            assertThat(java.nio.file.Files.getPosixFilePermissions(fresh))
                    .containsExactlyInAnyOrderElementsOf(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
            assertThatThrownBy(() -> HttpControlClient.connect(file)).isInstanceOfSatisfying(ControlException.class, e -> {
                assertThat(e.kind()).isEqualTo(ControlException.Kind.UNREACHABLE);
                assertThat(e.getMessage()).contains("is writable by others").doesNotContain("\n");
            });
            java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            assertThat(HttpControlClient.connect(file).list(false)).isEmpty();
            if (isRoot()) { // only root can give a file away
                java.nio.file.Files.setAttribute(file, "unix:uid", 65534);
                assertThatThrownBy(() -> HttpControlClient.connect(file)).isInstanceOfSatisfying(ControlException.class,
                        e -> assertThat(e.getMessage()).contains("not by this user"));
                java.nio.file.Files.setAttribute(file, "unix:uid", 0);
            }
        }
    }

    private static boolean isRoot() throws Exception {
        return Integer.valueOf(0).equals(java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    @Test
    void browsersAndOtherHostNamesAreRefusedAndOnlyTheTokenLearnsTheInstance() throws Exception {
        var auth = "Authorization: Bearer " + server.published().token();
        var otherHost = tcp.send("POST /api/runs HTTP/1.1\r\nHost: attacker.example:" + server.port() + "\r\n" + auth
                + "\r\nContent-Length: 25\r\n\r\n", "{\"graph\":\"welcome-email\"}".getBytes());
        var noHost = tcp.send("GET /api/runs HTTP/1.0\r\n" + auth + "\r\n\r\n", new byte[0]);
        var fromPage = tcp.call("POST", "/api/runs", "{\"graph\":\"welcome-email\"}", "Origin: http://localhost:8080");
        var fromPageOnSocket = http.call("POST", "/api/runs", "{\"graph\":\"welcome-email\"}", "Origin: http://localhost:8080");
        var noToken = tcp.send("GET /api/runs HTTP/1.1\r\nHost: " + tcp.host() + "\r\n\r\n", new byte[0]);
        var noTokenOnSocket = http.send("GET /api/hello HTTP/1.1\r\nHost: localhost\r\n\r\n", new byte[0]);

        assertThat(otherHost.status()).isEqualTo(403);
        assertThat(otherHost.error()).contains("not this server's loopback address");
        assertThat(noHost.status()).isEqualTo(400);
        assertThat(fromPage.status()).isEqualTo(403);
        assertThat(fromPage.error()).contains("Origin");
        assertThat(fromPageOnSocket.status()).isEqualTo(403);
        assertThat(noToken.status()).isEqualTo(401);
        assertThat(noTokenOnSocket.status()).isEqualTo(401);
        for (var refused : List.of(otherHost, noHost, fromPage, fromPageOnSocket, noToken, noTokenOnSocket)) {
            assertThat(refused.headers()).as("refused: " + refused).doesNotContainKey("tether-instance");
            assertThat(refused.body()).doesNotContain(server.published().instanceId());
        }
        assertThat(http.call("GET", "/api/runs/ffffffff", null).headers())
                .as("an error after the token was shown names the instance").containsEntry("tether-instance", server.published().instanceId());
        assertThat(engine.registry().size()).isZero();
    }

    @Test
    void theJdkHttpClientIsServedToo() throws Exception {
        var file = server.published();
        var jdk = HttpClient.newHttpClient();
        var r = jdk.send(HttpRequest.newBuilder(URI.create(file.baseUrl() + "/api/runs"))
                .header("Authorization", "Bearer " + file.token())
                .POST(HttpRequest.BodyPublishers.ofString("{\"graph\":\"welcome-email\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("Tether-Instance")).hasValue(file.instanceId());
    }

    @Test
    void aTooLargeBodyIs413AndNothingIsKept() throws Exception {
        var tooBig = http.head("POST", "/api/runs", 3_000_000, true);
        var answer = http.send(tooBig, new byte[70_000]); // only part of it: the server answers before reading more
        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.kind()).isEqualTo("body-too-large");
        assertThat(answer.error()).contains("65536");

        var input = "x".repeat(HttpContract.MAX_BODY_BYTES);
        var whole = http.call("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"input\":{\"to\":\"" + input + "\"}}");
        assertThat(whole.status()).isEqualTo(413);
        assertThat(engine.registry().size()).isZero();
    }

    @Test
    void tooManyEventStreamsAre503() throws Exception {
        var streams = new ArrayList<RawConnection>();
        try {
            for (int i = 0; i < HttpContract.MAX_EVENT_STREAMS; i++) {
                var s = http.open();
                s.getOutputStream().write(http.head("GET", "/api/events", 0, false).getBytes());
                var first = new byte[15];
                assertThat(s.getInputStream().readNBytes(first, 0, 15)).isEqualTo(15);
                assertThat(new String(first)).startsWith("HTTP/1.1 200");
                streams.add(s);
            }
            var refused = http.call("GET", "/api/events", null);
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.error()).contains("too many event streams");
            assertThat(http.call("GET", "/api/runs", null).status()).as("other requests still served").isEqualTo(200);
        } finally {
            for (var s : streams) s.close();
        }
    }

    @Test
    void aHeadNotCompleteWithinTheDeadlineIsClosedAndOthersAreServedMeanwhile() throws Exception {
        try (var slow = http.open(); var slowTcp = tcp.open()) {
            slow.getOutputStream().write("GET /api/runs HTTP/1.1\r\n".getBytes()); // and then nothing
            slowTcp.getOutputStream().write("GET /api/runs HTTP/1.1\r\n".getBytes());
            assertThat(http.call("GET", "/api/runs", null).status()).isEqualTo(200);
            assertThat(tcp.call("GET", "/api/runs", null).status()).isEqualTo(200);
            // closed by the server, unanswered, once its deadline has passed (the read would time out after 30 s)
            assertThat(slow.getInputStream().readAllBytes()).isEmpty();
            assertThat(slowTcp.getInputStream().readAllBytes()).isEmpty();
        }
        org.awaitility.Awaitility.await().atMost(Hang.IN_PROCESS).until(() -> server.openConnections() == 0);
    }

    /** A well-formed id no run has. */
    static final class RunIdsForTest {
        static String unknown() {
            return dev.tether.run.RunIds.next();
        }
    }
}
