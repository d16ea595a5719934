package dev.tether.control;

import dev.tether.json.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Writes answers of the control server: JSON with its length, or the head of an event stream. Every connection ends after one answer. */
final class HttpAnswer {
    private HttpAnswer() {}

    static void json(OutputStream out, int status, Object body, Map<String, String> headers) throws IOException {
        send(out, status, "application/json", Json.mapper().writeValueAsBytes(body), headers);
    }

    /** A text answer (the Prometheus scrape). */
    static void text(OutputStream out, int status, String contentType, String body, Map<String, String> headers) throws IOException {
        send(out, status, contentType, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    private static void send(OutputStream out, int status, String contentType, byte[] bytes, Map<String, String> headers) throws IOException {
        var head = new StringBuilder(256);
        head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        head.append("Content-Type: ").append(contentType).append("\r\n");
        head.append("Content-Length: ").append(bytes.length).append("\r\n");
        head.append("Cache-Control: no-store\r\n");
        head.append("X-Content-Type-Options: nosniff\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Connection: close\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    static void eventStreamHead(OutputStream out, Map<String, String> headers) throws IOException {
        var head = new StringBuilder(256);
        head.append("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Connection: close\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }
}
