package dev.tether.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes requests byte for byte (malformed ones too) to a control server, over its socket or its TCP port, and reads what comes back. */
final class RawHttp {
    record Answer(int status, Map<String, String> headers, String body) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String error() {
            return json().path("error").asText();
        }

        String kind() {
            return json().path("kind").asText();
        }
    }

    private final SocketAddress address;
    private final String host;
    private final String token;

    private RawHttp(SocketAddress address, String host, String token) {
        this.address = address;
        this.host = host;
        this.token = token;
    }

    /** Over the control socket. */
    RawHttp(ControlFile file) {
        this(UnixDomainSocketAddress.of(file.socketPath()), "localhost", file.token());
    }

    /** Over the loopback TCP port the server was started with. */
    static RawHttp tcp(ControlFile file) {
        if (file.port() <= 0) throw new IllegalStateException("the server has no TCP port");
        return new RawHttp(new InetSocketAddress(InetAddress.getLoopbackAddress(), file.port()), "127.0.0.1:" + file.port(), file.token());
    }

    /** The metrics-only port of a worker. */
    static RawHttp tcp(int port, String token) {
        return new RawHttp(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), "127.0.0.1:" + port, token);
    }

    String host() {
        return host;
    }

    RawConnection open() throws IOException {
        return RawConnection.open(address, 30_000);
    }

    /** A well-formed request, authorised, with the body (if any) and extra header lines. */
    Answer call(String method, String target, String body, String... extraHeaders) throws IOException {
        var bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        return send(head(method, target, bytes.length, body != null, extraHeaders), bytes);
    }

    String head(String method, String target, int length, boolean withLength, String... extraHeaders) {
        var h = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: " + host() + "\r\nAuthorization: Bearer " + token + "\r\n");
        if (withLength) h.append("Content-Length: ").append(length).append("\r\n");
        for (var x : extraHeaders) h.append(x).append("\r\n");
        return h.append("\r\n").toString();
    }

    /**
     * Sends and reads the answer. A server may answer a request it cannot parse and close before the
     * body is sent: the write then fails, and the answer is read all the same (as a careful client does).
     */
    Answer send(String head, byte[] body) throws IOException {
        try (var s = open()) {
            var out = s.getOutputStream();
            try {
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
            } catch (IOException closedEarly) {
                try {
                    return read(s);
                } catch (IOException | AssertionError noAnswer) {
                    closedEarly.addSuppressed(noAnswer);
                    throw closedEarly;
                }
            }
            return read(s);
        }
    }

    static Answer read(RawConnection s) throws IOException {
        var all = new ByteArrayOutputStream();
        s.getInputStream().transferTo(all);
        var text = all.toString(StandardCharsets.UTF_8);
        int split = text.indexOf("\r\n\r\n");
        if (split < 0) throw new AssertionError("no complete answer: '" + text + "'");
        var lines = text.substring(0, split).split("\r\n");
        var headers = new LinkedHashMap<String, String>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, c).toLowerCase(java.util.Locale.ROOT), lines[i].substring(c + 1).trim());
        }
        return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(split + 4));
    }
}
