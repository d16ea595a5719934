package dev.tether.cli;

import dev.tether.control.ControlClient;
import dev.tether.control.ControlException;
import dev.tether.control.HistoryParams;
import dev.tether.history.HistoryCursor;
import dev.tether.history.HistoryPage;
import dev.tether.history.HistoryQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

@Command(name = "list", description = {"List active runs.",
        "With --all: the run history, newest first (finished runs by end time, active ones by submit time), a page at a time;"
                + " it outlives restarts. With no console or server running it is read from the store under the Tether home."})
final class ListCommand extends ClientCommand {
    @Option(names = {"-a", "--all"}, description = "The history: finished runs too, paged.")
    boolean all;

    @Option(names = "--graph", paramLabel = "ID", description = "With --all: only runs of this graph.")
    String graph;

    @Option(names = "--status", paramLabel = "STATUS[,STATUS...]",
            description = "With --all: only runs with these statuses (QUEUED, RUNNING, CANCELLING, CANCELLED, COMPLETED, FAILED, STUCK, LOST).")
    String status;

    @Option(names = "--since", paramLabel = "WHEN", converter = InstantConverter.class,
            description = "With --all: only runs that ended (active: were submitted) at or after WHEN: an ISO instant or a duration ago (2h, 30m, 1d).")
    Instant since;

    @Option(names = "--until", paramLabel = "WHEN", converter = InstantConverter.class,
            description = "With --all: only runs that ended (active: were submitted) before WHEN.")
    Instant until;

    @Option(names = "--limit", paramLabel = "N", description = "With --all: runs per page, 1 to 1000 (default: 50).")
    Integer limit;

    @Option(names = "--cursor", paramLabel = "CURSOR", description = "With --all: the page after this one (the `next` a page printed).")
    String cursor;

    @Option(names = "--origin", paramLabel = "ORIGIN[,ORIGIN...]",
            description = "With --all: only runs stopped at this request: a person's (CONSOLE, CLI, API), SHUTDOWN, SIGNAL, or a policy's"
                    + " (DEADLINE, NODE_DEADLINE, STEP_LIMIT, EXPIRED).")
    String origin;

    private HistoryQuery query;

    @Override
    void checkArguments() {
        var filters = new ArrayList<String>();
        if (graph != null) filters.add("--graph");
        if (status != null) filters.add("--status");
        if (since != null) filters.add("--since");
        if (until != null) filters.add("--until");
        if (limit != null) filters.add("--limit");
        if (cursor != null) filters.add("--cursor");
        if (origin != null) filters.add("--origin");
        if (!all) {
            if (!filters.isEmpty()) throw new IllegalArgumentException(String.join(", ", filters) + (filters.size() == 1 ? " only applies" : " only apply")
                    + " to the history: add --all");
            return;
        }
        query = new HistoryQuery(graph, HistoryParams.statuses(status), since, until, limit == null ? HistoryQuery.DEFAULT_LIMIT : limit,
                cursor == null ? null : HistoryCursor.parse(cursor), HistoryParams.origins(origin));
    }

    @Override
    int run(ControlClient client) {
        var now = Instant.now();
        if (!all) {
            var runs = client.list(false);
            if (json) printJson(runs.stream().map(r -> RunView.of(r, now)).toList());
            else HumanFormat.list(out(), runs, false, now);
            return ExitCodes.OK;
        }
        print(client.history(query), now);
        return ExitCodes.OK;
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
