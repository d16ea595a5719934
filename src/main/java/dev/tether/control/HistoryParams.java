package dev.tether.control;

import dev.tether.history.HistoryCursor;
import dev.tether.history.HistoryQuery;
import dev.tether.run.RunStatus;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * A {@link HistoryQuery} as the query of {@code GET /api/history}: {@code graph}, {@code status} (one
 * or more, comma-separated), {@code since} and {@code until} (ISO-8601 instants), {@code limit} and
 * {@code cursor} (the {@code next} of the previous page). The client writes it and the server reads it
 * here, so both agree.
 */
public final class HistoryParams {
    private static final java.util.Set<String> NAMES = java.util.Set.of("graph", "status", "since", "until", "limit", "cursor", "origin");

    private HistoryParams() {}

    /** @throws IllegalArgumentException naming the first bad parameter */
    public static HistoryQuery parse(Map<String, String> query) {
        for (var name : query.keySet()) {
            if (!NAMES.contains(name)) throw new IllegalArgumentException("unknown parameter '" + ControlRoutes.clip(name)
                    + "' (known: graph, status, since, until, limit, cursor, origin)");
        }
        int limit = limit(query.get("limit"), HistoryQuery.DEFAULT_LIMIT, HistoryQuery.MAX_LIMIT);
        var cursor = query.get("cursor");
        return new HistoryQuery(query.get("graph"), statuses(query.get("status")), instant("since", query.get("since")),
                instant("until", query.get("until")), limit, cursor == null || cursor.isEmpty() ? null : HistoryCursor.parse(cursor),
                origins(query.get("origin")));
    }

    /** {@code ?limit=}: absent is {@code absent}; not a whole number says the range (the query's own check says it too). */
    static int limit(String text, int absent, int max) {
        if (text == null) return absent;
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'limit' must be a whole number from 1 to " + max);
        }
    }

    /** Statuses as typed: names, any case, comma-separated; null or empty for all. */
    public static Set<RunStatus> statuses(String text) {
        var out = EnumSet.noneOf(RunStatus.class);
        if (text == null || text.isBlank()) return out;
        for (var part : text.split(",", -1)) {
            var name = part.strip().toUpperCase(Locale.ROOT);
            try {
                out.add(RunStatus.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown status '" + ControlRoutes.clip(part.strip()) + "' (known: "
                        + String.join(", ", java.util.Arrays.stream(RunStatus.values()).map(Enum::name).toList()) + ")");
            }
        }
        return out;
    }

    /** Who stopped the runs wanted: origin names, any case, comma-separated; null or empty for any. */
    public static Set<dev.tether.run.CancelOrigin> origins(String text) {
        var out = EnumSet.noneOf(dev.tether.run.CancelOrigin.class);
        if (text == null || text.isBlank()) return out;
        for (var part : text.split(",", -1)) {
            var origin = dev.tether.run.CancelOrigin.parse(part.strip().replace('-', '_'));
            if (origin == null) {
                throw new IllegalArgumentException("unknown origin '" + ControlRoutes.clip(part.strip()) + "' (known: "
                        + String.join(", ", java.util.Arrays.stream(dev.tether.run.CancelOrigin.values()).map(Enum::name).toList()) + ")");
            }
            out.add(origin);
        }
        return out;
    }

    private static Instant instant(String name, String text) {
        if (text == null || text.isEmpty()) return null;
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + name + "' must be an ISO-8601 instant such as 2026-11-27T13:00:00Z");
        }
    }

    /** The query string ({@code ?...}, or empty) that {@link #parse} reads back as {@code q}. */
    public static String encode(HistoryQuery q) {
        var params = new LinkedHashMap<String, String>();
        if (q.graph() != null) params.put("graph", q.graph());
        if (!q.statuses().isEmpty()) params.put("status", String.join(",", q.statuses().stream().sorted().map(Enum::name).toList()));
        if (q.since() != null) params.put("since", q.since().toString());
        if (q.until() != null) params.put("until", q.until().toString());
        params.put("limit", Integer.toString(q.limit()));
        if (q.cursor() != null) params.put("cursor", q.cursor().toString());
        if (!q.origins().isEmpty()) params.put("origin", String.join(",", q.origins().stream().sorted().map(Enum::name).toList()));
        var out = new StringJoiner("&", "?", "");
        params.forEach((k, v) -> out.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return out.toString();
    }
}
