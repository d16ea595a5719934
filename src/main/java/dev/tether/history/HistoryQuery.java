package dev.tether.history;

import dev.tether.run.RunStatus;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * One page of the run history: runs newest first (finished ones by end time, active ones by submit
 * time), optionally of one graph, with some statuses, within a time range, after a cursor.
 *
 * @param graph    a graph id, or null for every graph
 * @param statuses the statuses wanted; empty for all
 * @param since    only runs at or after this instant (end time, or submit time while active); null for no bound
 * @param until    only runs before this instant; null for no bound
 * @param limit    page size, 1 to {@link #MAX_LIMIT}
 * @param cursor   where the previous page ended; null for the newest page
 * @param origins  who or what stopped the run (a person's surface, a policy: DEADLINE, STEP_LIMIT, ...);
 *                 empty for any, stopped or not
 */
public record HistoryQuery(String graph, Set<RunStatus> statuses, Instant since, Instant until, int limit, HistoryCursor cursor,
                           Set<dev.tether.run.CancelOrigin> origins) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 1_000;

    public HistoryQuery {
        if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("the page size must be 1 to " + MAX_LIMIT + ", got " + limit);
        graph = graph == null || graph.isBlank() ? null : graph;
        statuses = statuses == null || statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
        origins = origins == null || origins.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(origins));
        if (since != null && until != null && !since.isBefore(until)) {
            throw new IllegalArgumentException("the time range is empty: since " + since + " is not before until " + until);
        }
    }

    public HistoryQuery(String graph, Set<RunStatus> statuses, Instant since, Instant until, int limit, HistoryCursor cursor) {
        this(graph, statuses, since, until, limit, cursor, Set.of());
    }

    /** The newest page of everything. */
    public static HistoryQuery newest(int limit) {
        return new HistoryQuery(null, Set.of(), null, null, limit, null);
    }

    public HistoryQuery after(HistoryCursor next) {
        return new HistoryQuery(graph, statuses, since, until, limit, next, origins);
    }

    /** Whether a run at {@code at} (its sort instant) of this graph and status is wanted, cursor aside. */
    public boolean matches(String graphId, RunStatus status, Instant at) {
        if (graph != null && !graph.equals(graphId)) return false;
        if (!statuses.isEmpty() && !statuses.contains(status)) return false;
        if (since != null && at.isBefore(since)) return false;
        return until == null || at.isBefore(until);
    }

    /** Whether a run stopped at the request of {@code origin} (null: not stopped, or unknown) is wanted. */
    public boolean matchesOrigin(dev.tether.run.CancelOrigin origin) {
        return origins.isEmpty() || (origin != null && origins.contains(origin));
    }
}
