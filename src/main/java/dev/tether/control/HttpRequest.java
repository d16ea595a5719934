package dev.tether.control;

import dev.tether.control.HttpContract.ErrorKind;
import dev.tether.control.HttpContract.Refusal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request as the routes see it: method, the raw target, the path's segments after {@code /api}
 * (percent-decoded), the query (decoded), headers (names in lower case) and the body. The HTTP
 * server parses the request; the decoding rules here are the API's own: a {@code %} not followed by
 * two hex digits, or bytes that are not UTF-8, are refused, and an empty segment never matches.
 */
record HttpRequest(String method, String rawTarget, List<String> segments, Map<String, String> query,
                   Map<String, String> headers, byte[] body) {

    String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** A request from its raw (still encoded) path and query. */
    static HttpRequest of(String method, String rawPath, String rawQuery, Map<String, String> headers, byte[] body) {
        var query = rawQuery == null ? "" : rawQuery;
        var target = query.isEmpty() ? rawPath : rawPath + "?" + query;
        return new HttpRequest(method, target, segments(rawPath), query(query), headers, body);
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
