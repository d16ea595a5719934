package dev.tether.control;

import dev.tether.json.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The answers of the control server: JSON, text (the scrape), or the head of an event stream. */
final class HttpAnswer {
    private HttpAnswer() {}

    static void json(Reply reply, int status, Object body, Map<String, String> headers) throws IOException {
        reply.send(status, "application/json", Json.mapper().writeValueAsBytes(body), common(headers, "no-store"));
    }

    /** A text answer (the Prometheus scrape). */
    static void text(Reply reply, int status, String contentType, String body, Map<String, String> headers) throws IOException {
        reply.send(status, contentType, body.getBytes(StandardCharsets.UTF_8), common(headers, "no-store"));
    }

    static OutputStream eventStream(Reply reply, Map<String, String> headers) throws IOException {
        return reply.stream(200, "text/event-stream", common(headers, "no-cache"));
    }

    private static Map<String, String> common(Map<String, String> headers, String cache) {
        var all = new LinkedHashMap<String, String>();
        all.put("Cache-Control", cache);
        all.put("X-Content-Type-Options", "nosniff");
        all.putAll(headers);
        return all;
    }
}
