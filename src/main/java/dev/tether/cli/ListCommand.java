package dev.tether.cli;

import dev.tether.control.ControlClient;
import dev.tether.control.ControlException;
import dev.tether.control.HistoryParams;
import dev.tether.history.HistoryCursor;
import dev.tether.history.HistoryPage;
import dev.tether.history.HistoryQuery;
import dev.tether.run.ActiveQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

@Command(name = "list", description = {"List active runs, in submission order, a page at a time (--limit, default 1000; --cursor for the next page);"
        + " with Redis, read from its live index, so a page costs the same however many runs are active.",
        "With --all: the run history, newest first (finished runs by end time, active ones by submit time), a page at a time;"
                + " it outlives restarts. With no console or server running it is read from the store under the Tether home."})
final class ListCommand extends ClientCommand {
    @Option(names = {"-a", "--all"}, description = "The history: finished runs too, paged.")
    boolean all;

    @Option(names = "--graph", paramLabel = "ID", description = "Only runs of this graph.")
    String graph;

    @Option(names = "--status", paramLabel = "STATUS[,STATUS...]",
            description = "Only runs with these statuses (active: QUEUED, RUNNING, CANCELLING; with --all also CANCELLED, COMPLETED, FAILED, STUCK, LOST).")
    String status;

    @Option(names = "--queue", paramLabel = "QUEUE", description = "Active runs only: only runs of this queue.")
    String queue;

    @Option(names = "--worker", paramLabel = "NAME", description = "Active runs only: only runs this worker holds.")
    String worker;

    @Option(names = "--since", paramLabel = "WHEN", converter = InstantConverter.class,
            description = "With --all: only runs that ended (active: were submitted) at or after WHEN: an ISO instant or a duration ago (2h, 30m, 1d).")
    Instant since;

    @Option(names = "--until", paramLabel = "WHEN", converter = InstantConverter.class,
            description = "With --all: only runs that ended (active: were submitted) before WHEN.")
    Instant until;

    @Option(names = "--limit", paramLabel = "N", description = "Runs per page: active runs 1 to 10000 (default: 1000); with --all 1 to 1000 (default: 50).")
    Integer limit;

    @Option(names = "--cursor", paramLabel = "CURSOR", description = "The page after this one: the cursor a page printed"
            + " (for active runs, the id of the last run of the page).")
    String cursor;

    @Option(names = "--origin", paramLabel = "ORIGIN[,ORIGIN...]",
            description = "With --all: only runs stopped at this request: a person's (CONSOLE, CLI, API), SHUTDOWN, SIGNAL, or a policy's"
                    + " (DEADLINE, NODE_DEADLINE, STEP_LIMIT, EXPIRED).")
    String origin;

    private HistoryQuery query;
    private ActiveQuery activeQuery;

    @Override
    void checkArguments() {
        if (!all) {
            var historyOnly = new ArrayList<String>();
            if (since != null) historyOnly.add("--since");
            if (until != null) historyOnly.add("--until");
            if (origin != null) historyOnly.add("--origin");
            if (!historyOnly.isEmpty()) throw new IllegalArgumentException(String.join(", ", historyOnly)
                    + (historyOnly.size() == 1 ? " only applies" : " only apply") + " to the history: add --all");
            activeQuery = new ActiveQuery(HistoryParams.statuses(status), graph, queue, worker, limit == null ? ActiveQuery.DEFAULT_LIMIT : limit,
                    cursor);
            return;
        }
        var activeOnly = new ArrayList<String>();
        if (queue != null) activeOnly.add("--queue");
        if (worker != null) activeOnly.add("--worker");
        if (!activeOnly.isEmpty()) throw new IllegalArgumentException(String.join(", ", activeOnly)
                + (activeOnly.size() == 1 ? " only applies" : " only apply") + " to active runs: drop --all");
        query = new HistoryQuery(graph, HistoryParams.statuses(status), since, until, limit == null ? HistoryQuery.DEFAULT_LIMIT : limit,
                cursor == null ? null : HistoryCursor.parse(cursor), HistoryParams.origins(origin));
    }

    @Override
    int run(ControlClient client) {
        var now = Instant.now();
        if (!all) {
            listActive(client, now);
            return ExitCodes.OK;
        }
        print(client.history(query), now);
        return ExitCodes.OK;
    }

    /**
     * The page of active runs, fetched in chunks: with --json each run is written as its chunk arrives
     * (memory and the first byte do not wait for the whole page). The output stays a JSON array, as
     * before pages; the cursor of the next page is the last run's id, and is also said on stderr.
     */
    private void listActive(ControlClient client, Instant now) {
        var out = out();
        var shown = new ArrayList<dev.tether.run.RunSnapshot>();
        int left = activeQuery.limit();
        var q = activeQuery;
        String next;
        boolean first = true;
        if (json) out.print('[');
        do {
            var page = client.active(q.withLimit(Math.min(left, CHUNK)));
            for (var r : page.runs()) {
                if (json) {
                    if (!first) out.print(',');
                    out.print(dev.tether.json.Json.write(RunView.of(r, now)));
                    first = false;
                } else {
                    shown.add(r);
                }
            }
            left -= page.runs().size();
            next = page.next();
            if (next != null) q = q.after(next);
            if (json) out.flush();
        } while (next != null && left > 0);
        if (json) {
            out.println(']');
            out.flush();
        } else {
            HumanFormat.list(out, shown, false, now);
            out.flush();
        }
        if (next != null) {
            var more = "More active runs: " + nextActiveCommand(next);
            if (json) err().println(more);
            else out.println(more);
        }
        (json ? err() : out).flush();
    }

    /** Runs per request while a page is written: a bounded answer each, whatever --limit says. */
    private static final int CHUNK = 500;

    /** The same command for the next page of active runs. */
    private String nextActiveCommand(String next) {
        var args = new ArrayList<>(List.of("tether", "list"));
        if (status != null) args.addAll(List.of("--status", status));
        if (graph != null) args.addAll(List.of("--graph", graph));
        if (queue != null) args.addAll(List.of("--queue", queue));
        if (worker != null) args.addAll(List.of("--worker", worker));
        if (limit != null) args.addAll(List.of("--limit", limit.toString()));
        if (json) args.add("--json");
        if (redis != null) args.add("--redis URI");
        args.addAll(List.of("--cursor", next));
        return Terminal.safe(String.join(" ", args));
    }

    /** No console or server runs: the history is read from the embedded store itself (read only; nothing is marked). */
    @Override
    Integer withoutInstance(ControlException unreachable) {
        if (!all || dev.tether.redis.RedisSettings.fromOptionOrEnv(redis) != null) return null;
        var file = dev.tether.store.TetherDatabase.defaultFile();
        if (!java.nio.file.Files.exists(file)) {
            print(HistoryPage.empty(), Instant.now());
            return ExitCodes.OK;
        }
        try (var history = dev.tether.store.RunHistory.open(file)) {
            print(history.page(query), Instant.now());
        } catch (dev.tether.store.StoreException e) {
            throw new ControlException(ControlException.Kind.SERVER_ERROR, "cannot read the history: " + e.getMessage(), e);
        }
        return ExitCodes.OK;
    }

    private void print(HistoryPage page, Instant now) {
        if (json) {
            var body = new LinkedHashMap<String, Object>();
            body.put("runs", page.runs().stream().map(r -> RunView.of(r, now)).toList());
            body.put("next", page.next());
            printJson(body);
            return;
        }
        HumanFormat.history(out(), page.runs(), now);
        if (page.next() != null) out().println("Older runs: " + nextCommand(page.next()));
        out().flush();
    }

    /** The same command for the next page. */
    private String nextCommand(String next) {
        var args = new ArrayList<>(List.of("tether", "list", "--all"));
        if (graph != null) args.addAll(List.of("--graph", graph));
        if (status != null) args.addAll(List.of("--status", status));
        if (since != null) args.addAll(List.of("--since", since.toString()));
        if (until != null) args.addAll(List.of("--until", until.toString()));
        if (limit != null) args.addAll(List.of("--limit", limit.toString()));
        if (redis != null) args.add("--redis URI");
        args.addAll(List.of("--cursor", next));
        return Terminal.safe(String.join(" ", args));
    }
}
