package dev.tether.control;

import dev.tether.control.HttpContract.ErrorKind;
import dev.tether.control.HttpContract.Refusal;
import dev.tether.engine.RunEngine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The control API of a console or server: its lifecycle (claim the home, bind, publish the
 * {@link ControlFile}, close). It listens on a Unix-domain socket in the Tether home, which only
 * its user can reach ({@link ControlSocket}), and, when asked, on a loopback TCP port too (for
 * Prometheus and curl). Who may ask and the deadlines: {@link ControlHandler},
 * {@link ConnectionDeadlines}; what each endpoint does: {@link ControlRoutes}; the event stream:
 * {@link EventStreams}; paths, statuses and limits: the {@link HttpContract}.
 */
public final class ControlServer implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ControlServer.class);

    /** What to serve besides the API: {@code metrics} (null: no {@code /metrics}), a loopback TCP port (null: none; 0: any free one). */
    public record Options(Supplier<String> metrics, Integer tcpPort) {
        public static Options defaults() {
            return new Options(null, null);
        }
    }

    private final InstanceLock claim;
    private final ControlFile published;
    private final ControlHttpServer http;
    private final ControlHandler handler;
    private final EventStreams events;
    private volatile boolean closed;

    private ControlServer(InstanceLock claim, ControlFile published, ControlHttpServer http, ControlHandler handler, EventStreams events) {
        this.claim = claim;
        this.published = published;
        this.http = http;
        this.handler = handler;
        this.events = events;
    }

    /**
     * Takes the right to serve the home of {@code controlFile}, before anything else starts.
     *
     * @throws IllegalStateException when another live instance serves it
     */
    public static InstanceLock claim(Path controlFile) throws IOException {
        return InstanceLock.claim(controlFile);
    }

    /** Claims the home of {@code controlFile} and serves the API on its socket. */
    public static ControlServer start(RunEngine engine, Path controlFile) throws IOException {
        return start(engine, controlFile, null);
    }

    /** As {@link #start(RunEngine, Path)}, also serving {@code GET /metrics} (same token) from {@code metrics}. */
    public static ControlServer start(RunEngine engine, Path controlFile, Supplier<String> metrics) throws IOException {
        var claim = claim(controlFile);
        try {
            return start(engine, claim, new Options(metrics, null));
        } catch (IOException | RuntimeException e) {
            claim.close();
            throw e;
        }
    }

    /**
     * Serves the API of the home {@code claim} holds, and publishes a fresh token in its control
     * file. The server owns the claim from here: closing the server releases it.
     */
    public static ControlServer start(RunEngine engine, InstanceLock claim, Options options) throws IOException {
        if (!claim.held()) throw new IllegalStateException("the claim on " + claim.controlFile() + " was released");
        var controlFile = claim.controlFile();
        var tokenText = newToken();
        var socket = ControlSocket.pathFor(controlFile);
        var self = ProcessHandle.current();
        var instanceId = UUID.randomUUID().toString();
        var hello = new LinkedHashMap<String, Object>();
        hello.put("instanceId", instanceId);
        hello.put("pid", self.pid());
        hello.put("mode", engine.mode());
        hello.put("startedAt", Instant.now());
        var events = new EventStreams(engine.registry());
        var routes = new ControlRoutes(engine, events, hello, options.metrics());
        var holder = new ControlHandler[1];
        var http = ControlHttpServer.start("tether-control", socket, options.tcpPort(), deadlines ->
                holder[0] = new ControlHandler(tokenText.getBytes(StandardCharsets.US_ASCII), routes,
                        Map.of(HttpContract.INSTANCE_HEADER, instanceId), deadlines));
        var published = new ControlFile(self.pid(), socket.toString(), Math.max(0, http.tcpPort()), tokenText, engine.mode(),
                (Instant) hello.get("startedAt"), instanceId, self.info().startInstant().orElse(null));
        var server = new ControlServer(claim, published, http, holder[0], events);
        try {
            published.write(controlFile);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        LOG.info("control API on {}{} (control file {})", socket, published.baseUrl() == null ? "" : " and " + published.baseUrl(), controlFile);
        return server;
    }

    /**
     * Serves {@code GET /metrics} on the loopback interface, port {@code port} (0: any free one), to
     * requests carrying {@code token} as a bearer token (anything else: 401), with the same host,
     * origin and deadline rules as the control API's TCP port. Publishes no control file.
     */
    public static ControlServer metricsOnly(int port, String token, Supplier<String> metrics) throws IOException {
        var checked = MetricsToken.check(token, "the metrics token");
        Route scrape = (request, reply, headers) -> {
            if (!Route.isMetrics(request)) {
                throw new Refusal(ErrorKind.NO_ENDPOINT, "no such endpoint: " + request.method() + " " + ControlRoutes.clip(request.rawTarget())
                        + " (this port serves " + Route.METRICS_PATH + " only)");
            }
            Route.metrics(request, reply, headers, metrics);
        };
        var holder = new ControlHandler[1];
        var http = ControlHttpServer.start("tether-metrics", null, port, deadlines ->
                holder[0] = new ControlHandler(checked.getBytes(StandardCharsets.US_ASCII), scrape, Map.of(), deadlines));
        var server = new ControlServer(null, null, http, holder[0], null);
        LOG.info("metrics on http://127.0.0.1:{}{}", server.port(), Route.METRICS_PATH);
        return server;
    }

    private static String newToken() {
        var raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /** The loopback TCP port, or -1 when the server has none. */
    public int port() {
        return http.tcpPort();
    }

    public Path controlFile() {
        return claim == null ? null : claim.controlFile();
    }

    /** The socket clients of this user connect to; null for a metrics-only server. */
    public Path socket() {
        return published == null ? null : published.socketPath();
    }

    /** What this server published: its socket, port, token and instance id. */
    public ControlFile published() {
        return published;
    }

    /** Connections open now, authorised or not (for tests and diagnostics). */
    int openConnections() {
        return http.openConnections();
    }

    /** Stops serving (open event streams end), removes the control file if it is still ours, and releases the home. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        handler.close();
        if (events != null) events.close();
        http.close();
        if (claim == null) return;
        var controlFile = claim.controlFile();
        try {
            if (Files.exists(controlFile) && ControlFile.read(controlFile).token().equals(published.token())) {
                Files.deleteIfExists(controlFile);
            }
        } catch (IOException e) {
            LOG.warn("could not remove control file {}: {}", controlFile, e.getMessage());
        } finally {
            claim.close();
        }
    }
}
