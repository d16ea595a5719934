package dev.tether.control;

import dev.tether.control.HttpContract.ErrorKind;
import dev.tether.control.HttpContract.Refusal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one HTTP/1.x request from a socket within the contract's limits: the whole request within
 * {@link HttpContract#REQUEST_TIMEOUT} (a slow client cannot hold a connection), a bounded head and
 * body, and strict percent-decoding. Anything else is a {@link Refusal} with its one-line reason.
 */
final class HttpRequestReader {
    private final Socket socket;
    private final InputStream in;
    private final long deadline;

    HttpRequestReader(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.deadline = System.nanoTime() + HttpContract.REQUEST_TIMEOUT.toNanos();
    }

    HttpRequest read() throws IOException {
        var head = readHead();
        var lines = head.split("\r?\n", -1);
        var requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            throw new Refusal(ErrorKind.BAD_INPUT, "malformed request line");
        }
        var method = requestLine[0];
        var target = requestLine[1];
        var headers = new LinkedHashMap<String, String>();
        for (int i = 1; i < lines.length; i++) {
            var line = lines[i];
            if (line.isEmpty()) continue;
            int colon = line.indexOf(':');
            if (colon <= 0) throw new Refusal(ErrorKind.BAD_INPUT, "malformed header line");
            var name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            var value = line.substring(colon + 1).trim();
            var previous = headers.putIfAbsent(name, value);
            if (previous != null && !previous.equals(value) && (name.equals("host") || name.equals("content-length"))) {
                throw new Refusal(ErrorKind.BAD_INPUT, "conflicting " + name + " headers");
            }
        }
        if (!target.startsWith("/")) throw new Refusal(ErrorKind.BAD_INPUT, "request target must be a path");
        int q = target.indexOf('?');
        var rawPath = q < 0 ? target : target.substring(0, q);
        var rawQuery = q < 0 ? "" : target.substring(q + 1);
        var segments = segments(rawPath);
        var query = query(rawQuery);
        return new HttpRequest(method, target, segments, query, headers, readBody(headers));
    }

    private String readHead() throws IOException {
        var buf = new ByteArrayOutputStream(512);
        int state = 0; // counts the bytes of the blank line that ends the head (\r\n\r\n or \n\n)
        while (true) {
            int b = readByte();
            if (b < 0) {
                if (buf.size() == 0) throw new java.io.EOFException("no request");
                throw new Refusal(ErrorKind.BAD_INPUT, "request ended inside its head");
            }
            buf.write(b);
            if (buf.size() > HttpContract.MAX_HEAD_BYTES) {
                throw new Refusal(ErrorKind.HEAD_TOO_LARGE, "request head larger than " + HttpContract.MAX_HEAD_BYTES + " bytes");
            }
            if (b == '\n') {
                if (state == 1) break;
                state = 1;
            } else if (b != '\r') {
                state = 0;
            }
        }
        var bytes = buf.toByteArray();
        for (byte b : bytes) {
            if (b == 0 || (b & 0x80) != 0) throw new Refusal(ErrorKind.BAD_INPUT, "request head must be plain ASCII");
        }
        return new String(bytes, StandardCharsets.US_ASCII).stripTrailing();
    }

    private byte[] readBody(Map<String, String> headers) throws IOException {
        if (headers.containsKey("transfer-encoding")) {
            throw new Refusal(ErrorKind.LENGTH_REQUIRED, "send the body with a Content-Length (chunked bodies are not accepted)");
        }
        var lengthText = headers.get("content-length");
        if (lengthText == null) return new byte[0];
        long length;
        try {
            length = Long.parseLong(lengthText);
        } catch (NumberFormatException e) {
            throw new Refusal(ErrorKind.BAD_INPUT, "Content-Length is not a number");
        }
        if (length < 0) throw new Refusal(ErrorKind.BAD_INPUT, "Content-Length is negative");
        if (length > HttpContract.MAX_BODY_BYTES) {
            throw new Refusal(ErrorKind.BODY_TOO_LARGE, "request body of " + length + " bytes is larger than the limit of "
                    + HttpContract.MAX_BODY_BYTES + " bytes");
        }
        if ("100-continue".equalsIgnoreCase(headers.get("expect")) && length > 0) {
            // curl asks before sending a larger body, and would otherwise wait a second for this
            socket.getOutputStream().write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }
        var body = new byte[(int) length];
        int read = 0;
        while (read < body.length) {
            setTimeout();
            int n;
            try {
                n = in.read(body, read, body.length - read);
            } catch (SocketTimeoutException e) {
                throw timeout();
            }
            if (n < 0) throw new Refusal(ErrorKind.BAD_INPUT, "request body shorter than its Content-Length");
            read += n;
        }
        return body;
    }

    private int readByte() throws IOException {
        setTimeout();
        try {
            return in.read();
        } catch (SocketTimeoutException e) {
            throw timeout();
        }
    }

    private void setTimeout() throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) throw timeout();
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
    }

    private static Refusal timeout() {
        return new Refusal(ErrorKind.REQUEST_TIMEOUT, "the request was not received within "
                + HttpContract.REQUEST_TIMEOUT.toSeconds() + " s");
    }

    /** Segments after {@code /api}; an empty segment (as in {@code /api/runs//cancel}) is kept, so it never matches an endpoint. */
    static List<String> segments(String rawPath) {
        if (!rawPath.equals("/api") && !rawPath.startsWith("/api/")) return null;
        var out = new ArrayList<String>();
        if (rawPath.length() <= 5) return out;
        for (var s : rawPath.substring(5).split("/", -1)) out.add(decode(s, false));
        return out;
    }

    static Map<String, String> query(String raw) {
        var out = new LinkedHashMap<String, String>();
        if (raw.isEmpty()) return out;
        for (var pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            out.put(decode(eq < 0 ? pair : pair.substring(0, eq), true), eq < 0 ? "" : decode(pair.substring(eq + 1), true));
        }
        return out;
    }

    /** Strict percent-decoding: a {@code %} not followed by two hex digits, or bytes that are not UTF-8, are refused. */
    static String decode(String s, boolean plusIsSpace) {
        if (s.indexOf('%') < 0) return plusIsSpace ? s.replace('+', ' ') : s;
        var bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) throw badEscape();
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) throw badEscape();
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new Refusal(ErrorKind.BAD_INPUT, "percent-encoded bytes in the path or query are not UTF-8");
        }
    }

    private static Refusal badEscape() {
        return new Refusal(ErrorKind.BAD_INPUT, "malformed percent escape in the path or query (use %XX with two hex digits)");
    }
}
