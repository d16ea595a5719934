package dev.tether.control;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.history.HistoryCursor;
import dev.tether.history.HistoryQuery;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.store.RunHistory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code GET /api/history}: pages of the durable history through the control API, filters and cursors included. */
class HistoryRouteTest {
    @TempDir Path home;
    LocalEngine engine;
    RunHistory history;
    ControlServer server;
    HttpControlClient client;
    RawHttp http;

    @BeforeEach
    void start() throws Exception {
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2), GraphCatalog.load(null), new RunRegistry());
        history = RunHistory.open(home.resolve("tether.db"));
        history.attach(engine.registry());
        engine.archive(history);
        engine.historySource(history);
        server = ControlServer.start(engine, home.resolve("control.json"));
        client = HttpControlClient.connect(server.controlFile());
        http = new RawHttp(server.published());
    }

    @AfterEach
    void stop() {
        server.close();
        engine.shutdown(Duration.ofSeconds(5));
        history.close();
    }

    @Test
    void pagesFollowTheirCursorsThroughEveryRunNewestFirstAndFiltersApply() throws Exception {
        var finished = new ArrayList<String>();
        for (int i = 0; i < 7; i++) {
            var id = client.submit("welcome-email", null, Map.of()).runId();
            client.awaitTerminal(id, Hang.IN_PROCESS).orElseThrow();
            finished.add(0, id);
        }
        var running = client.submit("book-workflow", null, Map.of("nodeMillis", "60000", "jitter", "0")).runId();

        var seen = new ArrayList<String>();
        var q = new HistoryQuery(null, Set.of(), null, null, 3, null);
        while (true) {
            var page = client.history(q);
            seen.addAll(page.runs().stream().map(RunSnapshot::runId).toList());
            if (page.next() == null) break;
            q = q.after(HistoryCursor.parse(page.next()));
        }
        assertThat(seen.getFirst()).isEqualTo(running); // submitted last: the newest
        assertThat(seen.subList(1, seen.size())).isEqualTo(finished);

        var completed = client.history(new HistoryQuery("welcome-email", Set.of(RunStatus.COMPLETED), null, null, 50, null));
        assertThat(completed.runs()).extracting(RunSnapshot::runId).isEqualTo(finished);
        assertThat(client.history(new HistoryQuery("book-workflow", Set.of(RunStatus.COMPLETED), null, null, 50, null)).runs()).isEmpty();
        client.cancel(running, dev.tether.run.CancelRequest.DEFAULT);
    }

    @Test
    void badParametersAreBadInputAndTheTokenIsRequired() throws Exception {
        for (var target : new String[] {"/api/history?limit=0", "/api/history?limit=x", "/api/history?status=nope",
                "/api/history?since=yesterday", "/api/history?cursor=garbage", "/api/history?colour=red",
                "/api/history?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z"}) {
            var answer = http.call("GET", target, null);
            assertThat(answer.status()).as(target).isEqualTo(400);
            assertThat(answer.kind()).as(target).isEqualTo("bad-input");
        }
        var noToken = http.send("GET /api/history HTTP/1.1\r\nHost: " + http.host() + "\r\n\r\n", new byte[0]);
        assertThat(noToken.status()).isEqualTo(401);
        assertThatThrownBy(() -> client.history(HistoryQuery.newest(10).after(new HistoryCursor(1, "x\u0001"))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
