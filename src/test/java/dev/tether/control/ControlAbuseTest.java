package dev.tether.control;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Local abuse by clients that have no token, on the socket and on the TCP port at once: heads
 * trickled a byte a second, bytes trickled after an error answer, a second server asking whether the
 * first is still there while it is swamped. The owner keeps being served, and no connection is held
 * past its deadline.
 */
class ControlAbuseTest {
    /** Generous for a loaded machine: what is asserted is that the deadline holds at all, not how tightly. */
    static final Duration SLACK = Duration.ofSeconds(15);

    @TempDir Path home;
    LocalEngine engine;
    ControlServer server;
    RawHttp socket;
    RawHttp tcp;
    final AtomicBoolean stop = new AtomicBoolean();
    final List<RawConnection> abusers = new CopyOnWriteArrayList<>();
    /** Longest time a trickling connection stayed open before the server closed it. */
    final AtomicLong longestHeldNanos = new AtomicLong();

    @BeforeEach
    void start() throws Exception {
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(2), GraphCatalog.load(null), new RunRegistry());
        server = ControlServer.start(engine, ControlServer.claim(home.resolve("control.json")), new ControlServer.Options(() -> "", 0));
        socket = new RawHttp(server.published());
        tcp = RawHttp.tcp(server.published());
    }

    @AfterEach
    void stop() throws Exception {
        stop.set(true);
        for (var s : abusers) s.close();
        server.close();
        engine.shutdown(Duration.ofSeconds(5));
    }

    /**
     * {@code count} connections through {@code via} that each send one byte of a request head a
     * second, and connect again whenever the server closes one: the pressure never lets up.
     */
    private CountDownLatch trickle(RawHttp via, int count) {
        var head = "GET /api/runs HTTP/1.1\r\nHost: " + via.host() + "\r\nX-Slow: " + "s".repeat(4000) + "\r\n\r\n";
        var bytes = head.getBytes(StandardCharsets.US_ASCII);
        var connected = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            Thread.ofVirtual().name("trickler-" + i).start(() -> {
                boolean first = true;
                while (!stop.get()) {
                    long opened = System.nanoTime();
                    try (var s = via.open()) {
                        abusers.add(s);
                        if (first) connected.countDown();
                        first = false;
                        for (int b = 0; b < bytes.length && !stop.get(); b++) {
                            s.getOutputStream().write(bytes[b]);
                            Thread.sleep(1_000);
                        }
                    } catch (IOException e) {
                        if (!stop.get()) longestHeldNanos.accumulateAndGet(System.nanoTime() - opened, Math::max);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
        return connected;
    }

    private void swamp() throws Exception {
        var a = trickle(socket, 100);
        var b = trickle(tcp, 100);
        assertThat(a.await(60, TimeUnit.SECONDS) && b.await(60, TimeUnit.SECONDS)).as("every abuser connected").isTrue();
        Thread.sleep(2_000); // every one of them has sent a byte or two
    }

    @Test
    void theOwnerIsServedWhile200ConnectionsTrickleTheirHeadsAndNoneIsHeldPastTheDeadline() throws Exception {
        swamp();
        var client = HttpControlClient.connect(server.controlFile());
        var failures = new ArrayList<String>();
        long until = System.nanoTime() + HttpContract.REQUEST_TIMEOUT.plusSeconds(5).toNanos();
        int requests = 0;
        while (requests < 20 || System.nanoTime() < until) { // past the deadline: the abusers are cut off and come back
            try {
                client.list(false);
            } catch (ControlException e) {
                failures.add("socket: " + e.getMessage());
            }
            try {
                var scrape = tcp.call("GET", "/metrics", null);
                if (scrape.status() != 200) failures.add("tcp: " + scrape.status());
            } catch (IOException e) {
                failures.add("tcp: " + e);
            }
            requests++;
            Thread.sleep(250);
        }
        assertThat(failures).as("the owner's %d requests on each transport while 200 connections trickle", requests).isEmpty();
        assertThat(Duration.ofNanos(longestHeldNanos.get())).as("every trickling connection was cut off, none held past its deadline")
                .isPositive().isLessThan(HttpContract.REQUEST_TIMEOUT.plus(SLACK));
    }

    @Test
    void aClientThatKeepsSendingAfterAnErrorAnswerIsCutOff() throws Exception {
        for (var via : List.of(socket, tcp)) {
            try (var s = via.open()) {
                var out = s.getOutputStream();
                out.write(("GET /api/runs HTTP/1.1\r\nHost: " + via.host() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                var status = new byte[12];
                assertThat(s.getInputStream().readNBytes(status, 0, 12)).isEqualTo(12);
                assertThat(new String(status, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 401");
                // 80 bytes a second: a server that drains leftovers without a deadline reads this forever
                long deadline = System.nanoTime() + HttpContract.LINGER.plus(SLACK).toNanos();
                assertThatThrownBy(() -> {
                    while (System.nanoTime() < deadline) {
                        out.write("x".repeat(8).getBytes(StandardCharsets.US_ASCII));
                        Thread.sleep(100);
                    }
                }).as("the server closed the connection within its linger").isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void aSecondServerDoesNotTakeOverFromALiveOneThatIsSwamped() throws Exception {
        swamp();
        var other = new LocalEngine(EngineConfig.defaults().withConcurrency(1), GraphCatalog.load(null), new RunRegistry());
        try {
            assertThatThrownBy(() -> ControlServer.start(other, server.controlFile()).close())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("another Tether instance");
            assertThat(ControlFile.read(server.controlFile()).instanceId()).isEqualTo(server.published().instanceId());
            assertThat(HttpControlClient.connect(server.controlFile()).hello()).containsEntry("instanceId", server.published().instanceId());
        } finally {
            other.shutdown(Duration.ofSeconds(5));
        }
    }
}
