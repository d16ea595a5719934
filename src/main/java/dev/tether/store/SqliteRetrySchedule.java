package dev.tether.store;

import dev.tether.engine.RetrySchedule;
import dev.tether.engine.RunRequest;
import dev.tether.json.Json;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The retries an embedded engine scheduled and has not started, in the embedded store: one row per
 * retry (its due time and its request as JSON), written when it is scheduled and deleted when it
 * starts or ends, so a retry waiting out its backoff survives a restart (or a SIGKILL) of the
 * console or {@code serve}.
 */
public final class SqliteRetrySchedule implements RetrySchedule, AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SqliteRetrySchedule.class);
    public static final String SCHEMA = "retries";
    private static final List<String> STEPS = List.of("""
            CREATE TABLE retry_schedule (
              run_id TEXT PRIMARY KEY,
              due_at INTEGER NOT NULL,
              request TEXT NOT NULL)
            """);

    private final TetherDatabase db;

    private SqliteRetrySchedule(TetherDatabase db) {
        this.db = db;
    }

    /** @throws StoreException when the store cannot be opened */
    public static SqliteRetrySchedule open(Path file) {
        var db = TetherDatabase.open(file);
        try {
            db.ensureSchema(SCHEMA, STEPS);
            return new SqliteRetrySchedule(db);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    @Override
    public void add(RunRequest retry) {
        db.write(c -> {
            try (var s = c.prepareStatement("INSERT OR REPLACE INTO retry_schedule(run_id, due_at, request) VALUES (?, ?, ?)")) {
                s.setString(1, retry.runId());
                s.setLong(2, retry.due().toEpochMilli());
                s.setString(3, Json.write(retry));
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void remove(String runId) {
        db.write(c -> {
            try (var s = c.prepareStatement("DELETE FROM retry_schedule WHERE run_id = ?")) {
                s.setString(1, runId);
                s.executeUpdate();
            }
            return null;
        });
    }

    /** Every retry kept, oldest due first; one that cannot be read is logged and dropped, never the rest. */
    @Override
    public List<RunRequest> pending() {
        record Row(String id, String json) {}
        var rows = db.read(c -> {
            var out = new ArrayList<Row>();
            try (var q = c.prepareStatement("SELECT run_id, request FROM retry_schedule ORDER BY due_at, run_id");
                 var rs = q.executeQuery()) {
                while (rs.next()) out.add(new Row(rs.getString(1), rs.getString(2)));
            }
            return out;
        });
        var out = new ArrayList<RunRequest>(rows.size());
        for (var row : rows) {
            try {
                var r = Json.read(row.json(), RunRequest.class);
                if (r.runId() == null || !r.runId().equals(row.id()) || r.retry() == null) throw new IllegalArgumentException("not a retry of run " + row.id());
                out.add(r);
            } catch (RuntimeException e) {
                LOG.warn("scheduled retry {} is unreadable and is dropped: {}", row.id(), e.getMessage());
                remove(row.id());
            }
        }
        return out;
    }

    @Override
    public void close() {
        db.close();
    }
}
