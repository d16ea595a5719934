package dev.tether.store;

import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunIds;
import dev.tether.run.RunSnapshot;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

/** Real snapshots made by the state machine (through a registry), and plain-JDBC access to a store file. */
final class HistoryFixture {
    final RunRegistry registry = new RunRegistry();

    RunSnapshot running(String graph, Instant submitted) {
        var id = RunIds.next();
        registry.apply(new RunEvent.Submitted(id, graph, "default", Map.of("k", "v"), submitted));
        registry.apply(new RunEvent.Started(id, "local-1", submitted.plusMillis(1)));
        return registry.apply(new RunEvent.NodeStarted(id, "work", submitted.plusMillis(2))).after();
    }

    RunSnapshot completed(String graph, Instant ended) {
        var id = running(graph, ended.minusSeconds(1)).runId();
        registry.apply(new RunEvent.NodeFinished(id, "work", true, ended.minusMillis(1)));
        return registry.apply(new RunEvent.Completed(id, ended)).after();
    }

    RunSnapshot cancelled(String graph, Instant ended) {
        var id = running(graph, ended.minusSeconds(1)).runId();
        registry.apply(new RunEvent.CancelRequested(id, ended.minusMillis(5)));
        return registry.apply(new RunEvent.Cancelled(id, "work", ended)).after();
    }

    /** Runs one SQL update on the file with a connection of its own, as another program would. */
    static int sql(Path file, String sql, Object... args) throws SQLException {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (var pragma = c.createStatement()) {
                pragma.execute("PRAGMA busy_timeout = 10000");
            }
            var st = c.prepareStatement(sql);
            for (int i = 0; i < args.length; i++) st.setObject(i + 1, args[i]);
            return st.executeUpdate();
        }
    }
}
