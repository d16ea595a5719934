package dev.tether.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes requests byte for byte (malformed ones too) to a control server and reads what comes back. */
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

    private final int port;
    private final String token;

    RawHttp(ControlFile file) {
        this.port = file.port();
        this.token = file.token();
    }

    String host() {
        return "127.0.0.1:" + port;
    }

    Socket open() throws IOException {
        var s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(30_000);
        return s;
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

    Answer send(String head, byte[] body) throws IOException {
        try (var s = open()) {
            var out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return read(s);
        }
    }

    static Answer read(Socket s) throws IOException {
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
