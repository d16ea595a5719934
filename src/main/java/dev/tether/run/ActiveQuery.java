package dev.tether.run;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One page of the active runs, in id order (ids are time-ordered, so in submission order), optionally
 * only those with some statuses, of one graph, queue or worker, after a cursor. The same query is
 * answered from memory (an engine's registry) and from Redis' live index.
 *
 * @param statuses the statuses wanted, all of them active ones; empty for every active run
 * @param graph    a graph id, or null for every graph
 * @param queue    a queue, or null for every queue
 * @param worker   a worker, or null for any (a run no worker holds yet matches no worker)
 * @param limit    page size, 1 to {@link #MAX_LIMIT}
 * @param after    the id of the last run of the previous page (its {@code next}); null for the first page
 */
public record ActiveQuery(Set<RunStatus> statuses, String graph, String queue, String worker, int limit, String after) {
    public static final int DEFAULT_LIMIT = 1_000;
    public static final int MAX_LIMIT = 10_000;

    public ActiveQuery {
        if (limit < 1 || limit > MAX_LIMIT) throw new IllegalArgumentException("the page size must be 1 to " + MAX_LIMIT + ", got " + limit);
        statuses = statuses == null || statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
        for (var s : statuses) {
            if (s.isTerminal()) throw new IllegalArgumentException(s + " is not the status of an active run (add --all for the history)");
        }
        graph = blankToNull(graph);
        queue = blankToNull(queue);
        worker = blankToNull(worker);
        after = blankToNull(after) == null ? null : after.strip().toLowerCase(java.util.Locale.ROOT);
        if (after != null && !isCursor(after)) {
            throw new IllegalArgumentException("'" + after.substring(0, Math.min(40, after.length())).replaceAll("\\p{Cntrl}", "?")
                    + "' is not a cursor of this list (the full id of the last run of a page)");
        }
    }

    /** Every active run, the first page of {@code limit}. */
    public static ActiveQuery first(int limit) {
        return new ActiveQuery(Set.of(), null, null, null, limit, null);
    }

    public ActiveQuery after(String runId) {
        return new ActiveQuery(statuses, graph, queue, worker, limit, runId);
    }

    public ActiveQuery withLimit(int n) {
        return new ActiveQuery(statuses, graph, queue, worker, n, after);
    }

    /** Whether {@code run} is active and wanted, cursor aside. */
    public boolean matches(RunSnapshot run) {
        if (run.isTerminal()) return false;
        if (!statuses.isEmpty() && !statuses.contains(run.status())) return false;
        if (graph != null && !graph.equals(run.graphId())) return false;
        if (queue != null && !queue.equals(run.queue())) return false;
        return worker == null || worker.equals(run.worker());
    }

    /** The page of {@code runs} (any order, terminal ones skipped) this query asks for. */
    public ActivePage pageOf(Collection<RunSnapshot> runs) {
        var wanted = new ArrayList<RunSnapshot>();
        for (var r : runs) if ((after == null || r.runId().compareTo(after) > 0) && matches(r)) wanted.add(r);
        wanted.sort(Comparator.comparing(RunSnapshot::runId));
        if (wanted.size() <= limit) return new ActivePage(wanted, null);
        List<RunSnapshot> page = wanted.subList(0, limit);
        return new ActivePage(page, page.getLast().runId());
    }

    /** A full run id as {@link RunIds#next()} writes it: 36 lower-case hex digits and dashes. */
    static boolean isCursor(String s) {
        return s.length() == RunIds.FULL_LENGTH && RunIds.isIdText(s);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
