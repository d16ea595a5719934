package dev.tether.control;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input of every kind against a real control server: each gets an answer (never a dropped
 * connection), a JSON {@code error} with its kind and status, and changes nothing: no run created,
 * the one running run neither cancelled nor touched.
 */
class ControlApiFuzzTest {
    @TempDir static Path home;
    static LocalEngine engine;
    static ControlServer server;
    static RawHttp http;
    static String running;

    @BeforeAll
    static void start() throws Exception {
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2), GraphCatalog.load(null), new RunRegistry());
        server = ControlServer.start(engine, home.resolve("control.json"));
        http = new RawHttp(server.published());
        running = engine.submit("book-workflow", null, Map.of("nodeMillis", 600_000, "jitter", 0.0)).runId();
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.shutdown(Duration.ofSeconds(5));
    }

    private record Case(String method, String target, String body, int status, String kind) {}

    @Test
    void malformedRequestsAreAnsweredAndChangeNothing() throws Exception {
        var shortId = running.substring(running.length() - 8);
        var cases = List.of(
                // bodies
                new Case("POST", "/api/runs", "{\"graph\":", 400, "bad-input"),
                new Case("POST", "/api/runs", "", 400, "bad-input"),
                new Case("POST", "/api/runs", "[]", 400, "bad-input"),
                new Case("POST", "/api/runs", "\"welcome-email\"", 400, "bad-input"),
                new Case("POST", "/api/runs", "42", 400, "bad-input"),
                new Case("POST", "/api/runs", "null", 400, "bad-input"),
                new Case("POST", "/api/runs", "{}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":5}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"\"}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":[\"welcome-email\"]}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"queue\":7}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"queue\":\"no spaces allowed\"}", 400, "bad-input"),
                // a ':' would alias another Redis key; an input over the limit would be copied into every record of the run
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"queue\":\"email:runs\"}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"queue\":\"" + "q".repeat(65) + "\"}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"input\":{\"to\":\"" + "x".repeat(dev.tether.engine.InputLimit.MAX_BYTES) + "\"}}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"input\":[1]}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"input\":\"to=x\"}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"input\":{\"to\":{\"a\":1}}}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"input\":{\"to\":null}}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"input\":{\"\":\"x\"}}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"inputs\":{}}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\"} trailing", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"graph\":\"stubborn\"}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"book-workflow\",\"input\":{\"jitter\":NaN}}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"book-workflow\",\"input\":{\"jitter\":\"NaN\"}}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"book-workflow\",\"input\":{\"jitter\":\"Infinity\"}}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"book-workflow\",\"input\":{\"chapters\":1.5}}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"book-workflow\",\"input\":{\"chapters\":99999999999999999999}}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"no-such-graph\"}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"requestId\":5}", 400, "bad-input"),
                new Case("POST", "/api/runs", "{\"graph\":\"welcome-email\",\"requestId\":\"has spaces\"}", 400, "bad-input"),
                // run ids: empty, short, not hex, unknown
                new Case("POST", "/api/runs//cancel", "{}", 400, "bad-input"),
                new Case("POST", "/api/runs/%20/cancel", "{}", 400, "bad-input"),
                new Case("POST", "/api/runs/" + shortId.substring(7) + "/cancel", "{}", 400, "bad-input"),
                new Case("POST", "/api/runs/" + shortId.substring(1) + "/cancel", "{}", 400, "bad-input"),
                new Case("POST", "/api/runs/" + running.substring(0, 4) + "/cancel", "{}", 400, "bad-input"),
                new Case("POST", "/api/runs/-/cancel", "{}", 400, "bad-input"),
                new Case("POST", "/api/runs/%2e%2e/cancel", "{}", 400, "bad-input"),
                new Case("POST", "/api/runs/ffffffff/cancel", "{}", 404, "unknown-run"),
                new Case("POST", "/api/runs/" + running + "0/cancel", "{}", 400, "bad-input"),
                new Case("GET", "/api/runs/", null, 400, "bad-input"),
                new Case("GET", "/api/runs/x", null, 400, "bad-input"),
                new Case("GET", "/api/runs/" + shortId + "?waitMillis=-1", null, 400, "bad-input"),
                new Case("GET", "/api/runs/" + shortId + "?waitMillis=soon", null, 400, "bad-input"),
                new Case("GET", "/api/runs?all=perhaps", null, 400, "bad-input"),
                // escapes
                new Case("GET", "/api/runs/%zz", null, 400, "bad-input"),
                new Case("GET", "/api/runs/%", null, 400, "bad-input"),
                new Case("GET", "/api/runs/%4", null, 400, "bad-input"),
                new Case("GET", "/api/runs/%C3%28", null, 400, "bad-input"),
                new Case("GET", "/api/runs?all=%zz", null, 400, "bad-input"),
                new Case("POST", "/api/runs/%zz/cancel", "{}", 400, "bad-input"),
                // endpoints and methods
                new Case("GET", "/api/nothing", null, 404, "no-endpoint"),
                new Case("GET", "/api", null, 404, "no-endpoint"),
                new Case("GET", "/", null, 404, "no-endpoint"),
                new Case("GET", "/api%2Fruns", null, 404, "no-endpoint"),
                new Case("DELETE", "/api/runs/" + shortId, null, 405, "method-not-allowed"),
                new Case("GET", "/api/cancel-all", null, 405, "method-not-allowed"),
                new Case("PUT", "/api/runs", "{}", 405, "method-not-allowed"),
                new Case("GET", "/api/runs/" + shortId + "/cancel", null, 405, "method-not-allowed"));
        for (var c : cases) {
            var before = engine.registry().all();
            var answer = http.call(c.method(), c.target(), c.body());
            var what = c.method() + " " + c.target() + " " + c.body() + " -> " + answer;
            assertThat(answer.status()).as(what).isEqualTo(c.status());
            assertThat(answer.headers().get("content-type")).as(what).isEqualTo("application/json");
            assertThat(answer.kind()).as(what).isEqualTo(c.kind());
            assertThat(answer.error()).as(what).isNotBlank().doesNotContain("\n");
            assertUnchanged(before, what);
        }
    }

    @Test
    void brokenRequestsAreAnsweredToo() throws Exception {
        var token = server.published().token();
        var host = "Host: " + http.host() + "\r\nAuthorization: Bearer " + token + "\r\n";
        var raw = Map.of(
                "GARBAGE\r\n\r\n", 400,
                "GET /api/runs\r\n\r\n", 400,
                "GET http://127.0.0.1/api/runs HTTP/1.1\r\n" + host + "\r\n", 400,
                "POST /api/runs HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 411,
                "POST /api/runs HTTP/1.1\r\n" + host + "Content-Length: ten\r\n\r\n", 400,
                "POST /api/runs HTTP/1.1\r\n" + host + "Content-Length: -5\r\n\r\n", 400,
                "POST /api/runs HTTP/1.1\r\n" + host + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n{}", 400,
                "GET /api/runs HTTP/1.1\r\n" + host + "X-Big: " + "y".repeat(HttpContract.MAX_HEAD_BYTES) + "\r\n\r\n", 431,
                "GET /api/runs HTTP/1.1\r\n" + host + "Bad Header Line\r\n\r\n", 400,
                "POST /api/runs HTTP/1.1\r\n" + host + "Content-Length: 50\r\n\r\n{\"graph\":\"welcome-email\"}", 408);
        for (var e : raw.entrySet()) {
            var before = engine.registry().all();
            // the last one is a body shorter than announced: the client stops sending, the server's clock runs out
            var answer = e.getValue() == 408 ? sendAndWait(e.getKey()) : http.send(e.getKey(), new byte[0]);
            var what = e.getKey().lines().findFirst().orElse("") + " -> " + answer;
            assertThat(answer.status()).as(what).isEqualTo(e.getValue());
            assertThat(answer.error()).as(what).isNotBlank();
            assertUnchanged(before, what);
        }
        var invalidUtf8 = http.send(http.head("POST", "/api/runs", 4, true), new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
        assertThat(invalidUtf8.status()).isEqualTo(400);
    }

    @Test
    void aRequestTheServerCannotParseIsAnsweredThoughItClosesBeforeTheBody() throws Exception {
        try (var s = http.open()) {
            s.getOutputStream().write(http.head("POST", "/api/runs/%zz/cancel", 200_000, true).getBytes(StandardCharsets.ISO_8859_1));
            // the server answers the head and closes; a client still sending finds out by a failed write
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
                for (int i = 0; i < 100; i++) {
                    s.getOutputStream().write(new byte[2_000]);
                    Thread.sleep(50);
                }
            }).isInstanceOf(java.io.IOException.class);
            var answer = RawHttp.read(s);
            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.kind()).isEqualTo("bad-input");
        }
    }

    private static RawHttp.Answer sendAndWait(String head) throws Exception {
        try (var s = http.open()) {
            s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return RawHttp.read(s);
        }
    }

    /** Random bodies and mutations of a good one: whatever comes, an answer and no second run but the ones meant. */
    @Test
    void randomBodiesNeverDropTheConnectionOrCreateUnmeantRuns() throws Exception {
        var random = new Random(12);
        var good = "{\"graph\":\"welcome-email\",\"queue\":\"email\",\"input\":{\"to\":\"a@b.c\",\"nodeMillis\":\"5\"}}";
        int created = 0;
        for (int i = 0; i < 300; i++) {
            byte[] body;
            if (i % 3 == 0) {
                body = new byte[random.nextInt(200)];
                random.nextBytes(body);
            } else {
                var chars = good.toCharArray();
                for (int m = 0; m < 1 + random.nextInt(4); m++) chars[random.nextInt(chars.length)] = (char) (32 + random.nextInt(95));
                body = new String(chars).getBytes(StandardCharsets.UTF_8);
            }
            int before = engine.registry().size();
            var answer = http.send(http.head("POST", "/api/runs", body.length, true), body);
            assertThat(answer.status()).as(new String(body, StandardCharsets.UTF_8)).isIn(201, 400);
            assertThat(answer.json().isObject()).isTrue();
            if (answer.status() == 201) created++;
            assertThat(engine.registry().size()).isEqualTo(before + (answer.status() == 201 ? 1 : 0));
        }
        assertThat(created).as("some mutations stay valid").isPositive();
        assertThat(engine.registry().get(running).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
    }

    private static void assertUnchanged(List<RunSnapshot> before, String what) {
        var after = engine.registry().all();
        assertThat(after).as(what).hasSameSizeAs(before);
        var run = engine.registry().get(running).orElseThrow();
        assertThat(run.status()).as(what).isIn(RunStatus.RUNNING, RunStatus.QUEUED);
        assertThat(run.cancelRequestedAt()).as(what).isNull();
    }
}
