package dev.tether.control;

import dev.tether.run.ActiveQuery;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * An {@link ActiveQuery} as the query of {@code GET /api/runs}: {@code status} (one or more,
 * comma-separated), {@code graph}, {@code queue}, {@code worker}, {@code limit} and {@code cursor}.
 * The answer is the page's runs (a JSON array, as before pages existed) and, when there are more, the
 * next page's cursor in the {@value #NEXT_HEADER} header and a {@code Link: <...>; rel="next"}.
 */
public final class ActiveParams {
    public static final String NEXT_HEADER = "X-Next-Cursor";
    private static final Set<String> NAMES = Set.of("status", "graph", "queue", "worker", "limit", "cursor");

    private ActiveParams() {}

    /** Whether the query asks for a page (any of this class's parameters), rather than {@code ?all=true}. */
    static boolean any(Map<String, String> query) {
        return query.keySet().stream().anyMatch(NAMES::contains);
    }

    /** @throws IllegalArgumentException naming the first bad parameter */
    public static ActiveQuery parse(Map<String, String> query) {
        for (var name : query.keySet()) {
            if (!NAMES.contains(name)) throw new IllegalArgumentException("unknown parameter '" + ControlRoutes.clip(name)
                    + "' (known: status, graph, queue, worker, limit, cursor; the history is GET /api/history)");
        }
        int limit = HistoryParams.limit(query.get("limit"), ActiveQuery.DEFAULT_LIMIT, ActiveQuery.MAX_LIMIT);
        return new ActiveQuery(HistoryParams.statuses(query.get("status")), query.get("graph"), query.get("queue"), query.get("worker"),
                limit, query.get("cursor"));
    }

    /** The query string ({@code ?...}) that {@link #parse} reads back as {@code q}. */
    public static String encode(ActiveQuery q) {
        var params = new LinkedHashMap<String, String>();
        if (!q.statuses().isEmpty()) params.put("status", String.join(",", q.statuses().stream().sorted().map(Enum::name).toList()));
        if (q.graph() != null) params.put("graph", q.graph());
        if (q.queue() != null) params.put("queue", q.queue());
        if (q.worker() != null) params.put("worker", q.worker());
        params.put("limit", Integer.toString(q.limit()));
        if (q.after() != null) params.put("cursor", q.after());
        var out = new StringJoiner("&", "?", "");
        params.forEach((k, v) -> out.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return out.toString();
    }
}
