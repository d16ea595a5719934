package dev.tether.redis;

import dev.tether.testing.Hang;

import dev.tether.catalog.GraphCatalog;
import dev.tether.run.CancelOutcome;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * rediss:// against a real redis-server serving TLS with a certificate from a private CA: the CA
 * file in TETHER_REDIS_CA makes it work for workers, clients and the command line; an untrusted
 * certificate, a certificate for another name or a plain port are clear one-line errors (exit 4).
 */
@org.junit.jupiter.api.Tag("process")
class RedisTlsTest {
    static TestCertificates certs;
    static TestCertificates otherCa;
    static RealRedis server;

    @BeforeAll
    static void start() throws Exception {
        var dir = Files.createTempDirectory(Path.of("target"), "tls");
        certs = TestCertificates.create(dir, "tether-test-ca", "ip:127.0.0.1");
        otherCa = TestCertificates.create(dir, "some-other-ca", "ip:127.0.0.1");
        server = RealRedis.startTls(certs);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    private static RedisSettings trusted(String host) {
        return RedisSettings.parse(server.tlsUri(host)).trustingCa(certs.caPem());
    }

    @Test
    void workersAndClientsRunAndCancelOverTls() throws Exception {
        var uri = server.tlsUri("127.0.0.1");
        try (var worker = WorkerProcess.start(Map.of(TlsTrust.ENV, certs.caPem().toString()), uri, "tls-worker", "tls", 1);
             var client = RedisView.live(trusted("127.0.0.1"), GraphCatalog.load(null), Routing.none())) {
            assertThat(client.mode()).isEqualTo(uri);

            var mail = client.submit("welcome-email", "tls", Map.of()).runId();
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> client.registry().get(mail).orElseThrow().status() == RunStatus.COMPLETED);

            var book = client.submit("book-workflow", "tls", Map.of("nodeMillis", 60_000)).runId();
            await().atMost(Hang.ACROSS_PROCESSES)
                    .until(() -> client.registry().get(book).map(RunSnapshot::currentNode).orElse("").equals("outline"));
            assertThat(client.cancel(book)).isEqualTo(CancelOutcome.CANCELLING);
            await().atMost(Hang.ACROSS_PROCESSES).until(() -> client.registry().get(book).orElseThrow().status() == RunStatus.CANCELLED);
            assertThat(worker.output()).doesNotContain("Exception");
        }
    }

    @Test
    void aCertificateFromAnUnknownCaIsRefusedWithAHint() {
        assertThatThrownBy(() -> RedisView.live(RedisSettings.parse(server.tlsUri("127.0.0.1")), GraphCatalog.load(null), Routing.none()))
                .isInstanceOf(RedisUnavailableException.class)
                .hasMessage("cannot use Redis at rediss://127.0.0.1:" + server.tlsPort
                        + ": its TLS certificate is not trusted (set TETHER_REDIS_CA to the CA's PEM file)");
        var elsewhere = RedisSettings.parse(server.tlsUri("127.0.0.1")).trustingCa(otherCa.caPem());
        assertThatThrownBy(() -> RedisView.live(elsewhere, GraphCatalog.load(null), Routing.none()))
                .hasMessage("cannot use Redis at rediss://127.0.0.1:" + server.tlsPort
                        + ": its TLS certificate is not signed by the CA in TETHER_REDIS_CA");
    }

    @Test
    void theCertificateMustNameTheHostDialled() {
        // the certificate names 127.0.0.1 only: trusting its CA is not enough to accept it for "localhost"
        assertThatThrownBy(() -> RedisView.live(trusted("localhost"), GraphCatalog.load(null), Routing.none()))
                .isInstanceOf(RedisUnavailableException.class)
                .hasMessage("cannot use Redis at rediss://localhost:" + server.tlsPort + ": its TLS certificate does not name localhost");
    }

    @Test
    void tlsToAPlainPortIsAHandshakeFailure() {
        var plain = RedisSettings.parse("rediss://127.0.0.1:" + server.port).trustingCa(certs.caPem());
        assertThatThrownBy(() -> RedisView.live(plain, GraphCatalog.load(null), Routing.none()))
                .isInstanceOf(RedisUnavailableException.class)
                .hasMessage("cannot use Redis at rediss://127.0.0.1:" + server.port
                        + ": the TLS handshake failed (SocketTimeoutException; does it serve TLS on this port?)");
    }

    @Test
    void theCommandLineReadsTheCaFromTheEnvironment() throws Exception {
        var uri = server.tlsUri("127.0.0.1");
        var ok = CliRun.of(Map.of(TlsTrust.ENV, certs.caPem().toString()), "list", "--json", "--redis", uri);
        assertThat(ok.exit()).as(ok.err()).isZero();

        var untrusted = CliRun.of(Map.of(), "list", "--redis", uri);
        assertThat(untrusted.exit()).isEqualTo(4);
        assertThat(untrusted.err()).isEqualTo("tether: cannot use Redis at " + uri
                + ": its TLS certificate is not trusted (set TETHER_REDIS_CA to the CA's PEM file)");

        var missing = CliRun.of(Map.of(TlsTrust.ENV, "/nonexistent/ca.pem"), "list", "--redis", uri);
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("tether: TETHER_REDIS_CA: cannot read /nonexistent/ca.pem (NoSuchFileException)");

        var notPem = CliRun.of(Map.of(TlsTrust.ENV, certs.serverKeyPem().toString()), "list", "--redis", uri);
        assertThat(notPem.exit()).isEqualTo(2);
        assertThat(notPem.err()).isEqualTo("tether: TETHER_REDIS_CA: " + certs.serverKeyPem() + " holds no PEM certificate we can read");
    }
}
