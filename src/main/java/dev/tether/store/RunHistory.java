package dev.tether.store;

import dev.tether.engine.RunArchive;
import dev.tether.engine.RunJournal;
import dev.tether.history.HistoryCursor;
import dev.tether.history.HistoryPage;
import dev.tether.history.HistoryQuery;
import dev.tether.history.HistorySource;
import dev.tether.history.UnreadableRecord;
import dev.tether.json.Json;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStateMachine;
import dev.tether.run.RunStatus;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The durable history of runs in the embedded store: every run's latest snapshot, one row per run,
 * written behind a {@link RunRegistry} by a {@link HistoryWriter} (never on a run's thread), kept
 * after the process exits and paged newest first. Only a run's acceptance is written at once, on the
 * submitter's thread ({@link #accepted}), so a run whose id was answered is on record even if the
 * process is killed the next moment.
 *
 * <p>Each row repeats what queries filter and sort by (graph, status, sort instant) beside the
 * snapshot's JSON, so paging reads indexes only and an unreadable JSON still shows as a row. An active
 * row names the process that runs it ({@link ProcessOwner}): at start-up, active rows whose process is
 * gone become LOST ({@link #recoverLost}), and while this process runs it keeps looking, cheaply
 * ({@link #watchLost}); another live process's runs are never touched.
 */
public final class RunHistory implements RunArchive, RunJournal, HistorySource, AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RunHistory.class);
    public static final String SCHEMA = "history";
    public static final int DEFAULT_MAX_FINISHED = 1_000_000;
    /** How often a running console or {@code serve} looks again for runs whose process has ended ({@link #watchLost}). */
    public static final Duration LOST_CHECK_EVERY = Duration.ofSeconds(2);
    /** Rows deleted per transaction when trimming: short enough not to hold other writers up. */
    static final int PRUNE_CHUNK = 5_000;

    private static final List<String> STEPS = List.of("""
            CREATE TABLE run_history (
              run_id TEXT PRIMARY KEY,
              graph_id TEXT NOT NULL,
              status TEXT NOT NULL,
              terminal INTEGER NOT NULL,
              sort_at INTEGER NOT NULL,
              version INTEGER NOT NULL,
              owner_pid INTEGER,
              owner_start INTEGER,
              snapshot TEXT NOT NULL);
            CREATE INDEX run_history_by_time ON run_history(sort_at, run_id);
            CREATE INDEX run_history_by_graph ON run_history(graph_id, sort_at, run_id);
            CREATE INDEX run_history_by_status ON run_history(status, sort_at, run_id);
            CREATE INDEX run_history_active ON run_history(owner_pid) WHERE terminal = 0
            """,
            // The owners of active rows, read by every look for lost runs, from the index alone (terminal
            // is listed so that SQLite's planner sees the index as covering).
            """
            DROP INDEX run_history_active;
            CREATE INDEX run_history_active ON run_history(owner_pid, owner_start, terminal) WHERE terminal = 0
            """,
            // Who or what stopped a run, as a column: list and the History tab filter on it.
            """
            ALTER TABLE run_history ADD COLUMN cancel_origin TEXT;
            UPDATE run_history SET cancel_origin = json_extract(snapshot, '$.cancelOrigin') WHERE json_valid(snapshot);
            CREATE INDEX run_history_by_origin ON run_history(cancel_origin, sort_at, run_id)
            """);

    private static final String UPSERT = """
            INSERT INTO run_history(run_id, graph_id, status, terminal, sort_at, version, owner_pid, owner_start, snapshot, cancel_origin)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(run_id) DO UPDATE SET graph_id = excluded.graph_id, status = excluded.status,
              terminal = excluded.terminal, sort_at = excluded.sort_at, version = excluded.version,
              owner_pid = excluded.owner_pid, owner_start = excluded.owner_start, snapshot = excluded.snapshot,
              cancel_origin = excluded.cancel_origin
            WHERE run_history.terminal = 0 AND excluded.version > run_history.version""";

    private final TetherDatabase db;
    private final int maxFinished;
    private final ProcessOwner me = ProcessOwner.current();
    private final Object pruneLock = new Object();
    private long finishedEstimate = -1; // guarded by pruneLock; -1 until counted
    private volatile HistoryWriter writer;
    private volatile LostRunWatch lostWatch;

    private RunHistory(TetherDatabase db, int maxFinished) {
        this.db = db;
        this.maxFinished = maxFinished;
    }

    /** Opens (a share of) the store in {@code file} and its history tables. */
    public static RunHistory open(Path file) {
        return open(file, DEFAULT_MAX_FINISHED);
    }

    /**
     * @param maxFinished finished runs kept; the oldest beyond it are deleted
     * @throws StoreException when the store cannot be opened
     */
    public static RunHistory open(Path file, int maxFinished) {
        if (maxFinished < 1) throw new IllegalArgumentException("the history must keep at least 1 finished run");
        var db = TetherDatabase.open(file);
        try {
            db.ensureSchema(SCHEMA, STEPS);
            return new RunHistory(db, maxFinished);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    public Path file() {
        return db.file();
    }

    /**
     * Marks LOST every active run whose process has ended (killed, crashed) without finishing it, in
     * the store and in {@code registry} (so views show it); runs of live processes are left alone.
     *
     * @return the runs marked LOST
     */
    public List<RunSnapshot> recoverLost(RunRegistry registry) {
        return recoverLost(registry, java.util.Set.of());
    }

    /**
     * As {@link #recoverLost(RunRegistry)}, leaving alone the runs in {@code scheduled}: retries waiting
     * out their backoff, which the new process queues again (they never started, so nothing was lost).
     * The later looks of {@link #watchLost} leave them alone too.
     */
    public List<RunSnapshot> recoverLost(RunRegistry registry, java.util.Set<String> scheduled) {
        this.scheduled = java.util.Set.copyOf(scheduled);
        return markLost(registry, null);
    }

    /**
     * The check made again while this process runs: the distinct owners of active rows, other than
     * this process, read from a covering index (a few rows: one per live process sharing the file and
     * per process that died with runs), and each looked at in {@code /proc}. Only when one of them has
     * ended are its rows read and marked LOST. A store that refuses (busy, full) is tried next time.
     *
     * @return the runs marked LOST
     */
    public List<RunSnapshot> sweepLost(RunRegistry registry) {
        var owners = db.read(c -> {
            var out = new java.util.HashSet<ProcessOwner>();
            try (var q = c.prepareStatement("SELECT DISTINCT owner_pid, owner_start FROM run_history "
                    + "WHERE terminal = 0 AND owner_pid IS NOT NULL");
                 var rs = q.executeQuery()) {
                while (rs.next()) out.add(new ProcessOwner(rs.getLong(1), nullableLong(rs, 2)));
            }
            return out;
        });
        owners.remove(me);
        owners.removeIf(ProcessOwner::isAlive);
        return owners.isEmpty() ? List.of() : markLost(registry, owners);
    }

    /**
     * Looks for LOST runs every {@code every} from now on (see {@link #sweepLost}), on a daemon thread
     * of its own, until {@link #close}; {@code onLost} is told of each run it marks.
     */
    public synchronized void watchLost(RunRegistry registry, Duration every, java.util.function.Consumer<RunSnapshot> onLost) {
        if (lostWatch != null) throw new IllegalStateException("already watching");
        lostWatch = LostRunWatch.start(this, registry, every, onLost);
    }

    /** Retries an earlier process scheduled, which this one queues again: never LOST (see {@link #recoverLost(RunRegistry, java.util.Set)}). */
    private volatile java.util.Set<String> scheduled = java.util.Set.of();

    /** Marks LOST the active rows whose owner has ended: all of them, or only those of {@code deadOwners}. */
    private List<RunSnapshot> markLost(RunRegistry registry, java.util.Set<ProcessOwner> deadOwners) {
        var scheduled = this.scheduled;
        record Orphan(String runId, long version, String json, ProcessOwner owner) {}
        var orphans = db.read(c -> {
            var out = new ArrayList<Orphan>();
            try (var q = c.prepareStatement("SELECT run_id, version, snapshot, owner_pid, owner_start FROM run_history WHERE terminal = 0");
                 var rs = q.executeQuery()) {
                while (rs.next()) {
                    long pid = rs.getLong(4);
                    var owner = rs.wasNull() ? null : new ProcessOwner(pid, nullableLong(rs, 5));
                    out.add(new Orphan(rs.getString(1), rs.getLong(2), rs.getString(3), owner));
                }
            }
            return out;
        });
        var lost = new ArrayList<RunSnapshot>();
        var now = Instant.now();
        for (var o : orphans) {
            if (deadOwners != null ? !deadOwners.contains(o.owner()) : o.owner() != null && o.owner().isAlive()) continue;
            if (scheduled.contains(o.runId())) continue;
            var reason = "the process that ran it (pid " + (o.owner() == null ? "unknown" : o.owner().pid())
                    + ") ended without finishing it";
            var current = parse(o.runId(), o.json());
            var next = current == null ? null : RunStateMachine.apply(current, new RunEvent.Lost(o.runId(), reason, now));
            boolean marked;
            try {
                marked = db.write(c -> markRow(c, o.runId(), o.version(), next, now));
            } catch (StoreException e) { // busy or full: the row stays active, and the next look tries again
                LOG.warn("run {} could not be marked LOST yet: {}", o.runId(), e.getMessage());
                continue;
            }
            if (!marked) continue; // another process recovered it first, or it changed meanwhile
            LOG.warn("run {} is LOST: {}", o.runId(), reason);
            if (next != null) {
                registry.mirror(next);
                lost.add(next);
            }
        }
        return lost;
    }

    private static boolean markRow(java.sql.Connection c, String runId, long version, RunSnapshot next, Instant now) throws SQLException {
        try (var u = c.prepareStatement(next == null
                ? "UPDATE run_history SET status = 'LOST', terminal = 1, sort_at = ?, owner_pid = NULL, owner_start = NULL "
                        + "WHERE run_id = ? AND terminal = 0 AND version = ?"
                : "UPDATE run_history SET status = 'LOST', terminal = 1, sort_at = ?, owner_pid = NULL, owner_start = NULL, "
                        + "version = ?, snapshot = ? WHERE run_id = ? AND terminal = 0 AND version = ?")) {
            int i = 1;
            u.setLong(i++, now.toEpochMilli());
            if (next != null) {
                u.setLong(i++, next.version());
                u.setString(i++, Json.write(next));
            }
            u.setString(i++, runId);
            u.setLong(i, version);
            return u.executeUpdate() == 1;
        }
    }

    /**
     * Keeps the history of {@code registry}'s runs from now on: a background writer takes its
     * changes in batches (one transaction each). Call once; {@link #close} flushes and stops it.
     */
    public synchronized void attach(RunRegistry registry) {
        if (writer != null) throw new IllegalStateException("already attached");
        writer = HistoryWriter.start(this, registry.openFeed());
    }

    /** Writes what the writer has not written yet, now, on this thread (bounded by the store's lock wait). */
    public void flush() {
        var w = writer;
        if (w != null) w.flush();
    }

    /**
     * A run the engine just accepted, written now, in a transaction of its own, before the submit is
     * answered: the one synchronous write (the rest is written behind). A version already written by
     * the writer (the run raced ahead) stays.
     *
     * @throws StoreException when the store refuses it (the writer then keeps it until it can)
     */
    @Override
    public void accepted(RunSnapshot run) {
        write(List.of(run));
    }

    /** Runs a bulk cancel ended before they started, in one transaction, before the cancel is answered. */
    @Override
    public void acceptedAll(Collection<RunSnapshot> runs) {
        write(runs);
    }

    /** Writes these snapshots in one transaction; older versions and changes to finished runs are ignored. */
    public void write(Collection<RunSnapshot> snapshots) {
        if (snapshots.isEmpty()) return;
        // JSON before the lock: the lock is shared with every other user of the file in this JVM
        var rows = new ArrayList<Object[]>(snapshots.size());
        for (var s : snapshots) {
            if (s == null || s.runId() == null || s.status() == null) continue;
            var owner = s.isTerminal() ? null : me;
            rows.add(new Object[] {s.runId(), s.graphId() == null ? "" : s.graphId(), s.status().name(), s.isTerminal() ? 1 : 0,
                    HistoryCursor.sortInstant(s).toEpochMilli(), s.version(), owner == null ? null : owner.pid(),
                    owner == null ? null : owner.startMillis(), Json.write(s), s.cancelOrigin() == null ? null : s.cancelOrigin().name()});
        }
        int newlyFinished = db.write(c -> {
            int finished = 0;
            try (var up = c.prepareStatement(UPSERT)) {
                for (var row : rows) {
                    for (int i = 0; i < row.length; i++) set(up, i + 1, row[i]);
                    if (up.executeUpdate() == 1 && (Integer) row[3] == 1) finished++;
                }
            }
            return finished;
        });
        if (newlyFinished > 0) prune(newlyFinished);
    }

    /** Deletes the oldest finished runs beyond the maximum kept, a chunk per transaction. */
    private void prune(int added) {
        synchronized (pruneLock) {
            if (finishedEstimate < 0) finishedEstimate = countFinished();
            else finishedEstimate += added;
            if (finishedEstimate <= maxFinished) return;
            long excess = finishedEstimate - maxFinished;
            while (excess > 0) {
                int chunk = (int) Math.min(excess, PRUNE_CHUNK);
                int deleted = db.write(c -> {
                    try (var d = c.prepareStatement("DELETE FROM run_history WHERE rowid IN (SELECT rowid FROM run_history "
                            + "WHERE terminal = 1 ORDER BY sort_at, run_id LIMIT ?)")) {
                        d.setInt(1, chunk);
                        return d.executeUpdate();
                    }
                });
                if (deleted == 0) break;
                excess -= deleted;
            }
            finishedEstimate = countFinished(); // other processes write to the same file
        }
    }

    private long countFinished() {
        return db.read(c -> {
            try (var s = c.createStatement()) {
                long all;
                try (var rs = s.executeQuery("SELECT count(*) FROM run_history")) {
                    all = rs.next() ? rs.getLong(1) : 0;
                }
                try (var rs = s.executeQuery("SELECT count(*) FROM run_history WHERE terminal = 0")) {
                    return all - (rs.next() ? rs.getLong(1) : 0);
                }
            }
        });
    }

    @Override
    public HistoryPage page(HistoryQuery q) {
        flush(); // this process's latest changes first: a page never lags the runs it just started
        var sql = new StringBuilder("SELECT run_id, graph_id, status, sort_at, snapshot FROM run_history WHERE 1 = 1");
        var args = new ArrayList<Object>();
        if (q.graph() != null) {
            sql.append(" AND graph_id = ?");
            args.add(q.graph());
        }
        if (!q.statuses().isEmpty()) {
            sql.append(" AND status IN (").append(String.join(", ", q.statuses().stream().map(s -> "?").toList())).append(')');
            q.statuses().stream().sorted().forEach(s -> args.add(s.name()));
        }
        if (!q.origins().isEmpty()) {
            sql.append(" AND cancel_origin IN (").append(String.join(", ", q.origins().stream().map(o -> "?").toList())).append(')');
            q.origins().stream().sorted().forEach(o -> args.add(o.name()));
        }
        if (q.since() != null) {
            sql.append(" AND sort_at >= ?");
            args.add(q.since().toEpochMilli());
        }
        if (q.until() != null) {
            sql.append(" AND sort_at < ?");
            args.add(q.until().toEpochMilli());
        }
        if (q.cursor() != null) {
            sql.append(" AND (sort_at, run_id) < (?, ?)");
            args.add(q.cursor().millis());
            args.add(q.cursor().runId());
        }
        sql.append(" ORDER BY sort_at DESC, run_id DESC LIMIT ?");
        args.add(q.limit() + 1);
        var runs = db.read(c -> {
            var out = new ArrayList<RunSnapshot>();
            try (var st = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) set(st, i + 1, args.get(i));
                try (var rs = st.executeQuery()) {
                    while (rs.next()) out.add(row(rs));
                }
            }
            return out;
        });
        if (runs.size() <= q.limit()) return new HistoryPage(runs, null);
        var page = runs.subList(0, q.limit());
        return new HistoryPage(page, HistoryCursor.after(page.getLast()).toString());
    }

    /** A row as a snapshot, or as a stand-in naming why it cannot be read. */
    private static RunSnapshot row(ResultSet rs) throws SQLException {
        var id = rs.getString(1);
        var json = rs.getString(5);
        try {
            return read(id, json);
        } catch (RuntimeException e) {
            RunStatus status;
            try {
                status = RunStatus.valueOf(rs.getString(3));
            } catch (RuntimeException badStatus) {
                status = null;
            }
            var reason = oneLine(e.getMessage());
            LOG.warn("the history record of run {} is unreadable: {}", oneLine(id), reason);
            // the stand-in sorts where the row does: its instant is the row's own
            return UnreadableRecord.standIn(id, rs.getString(2), status, Instant.ofEpochMilli(rs.getLong(4)), reason);
        }
    }

    /**
     * A run by its full id, or by a reference as people type it (its short id or a start of at least
     * {@link dev.tether.run.RunIds#MIN_REFERENCE_LENGTH} characters), like the registry's find.
     *
     * @throws IllegalArgumentException when a reference matches several runs
     */
    @Override
    public Optional<RunSnapshot> find(String runId) {
        flush();
        if (runId.length() < dev.tether.run.RunIds.FULL_LENGTH) return findReference(runId);
        var json = db.read(c -> {
            try (var q = c.prepareStatement("SELECT snapshot FROM run_history WHERE run_id = ?")) {
                q.setString(1, runId);
                try (var rs = q.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
        return Optional.ofNullable(parse(runId, json));
    }

    private Optional<RunSnapshot> findReference(String reference) {
        dev.tether.run.RunIds.checkReference(reference);
        var found = db.read(c -> {
            try (var q = c.prepareStatement("SELECT run_id, snapshot FROM run_history "
                    + "WHERE substr(run_id, 1, ?) = ? OR substr(run_id, -?) = ? LIMIT 2")) {
                q.setInt(1, reference.length());
                q.setString(2, reference);
                q.setInt(3, reference.length());
                q.setString(4, reference);
                try (var rs = q.executeQuery()) {
                    var rows = new java.util.ArrayList<String[]>();
                    while (rs.next()) rows.add(new String[]{rs.getString(1), rs.getString(2)});
                    return rows;
                }
            }
        });
        if (found.size() > 1) throw new IllegalArgumentException("run id prefix '" + reference + "' is ambiguous");
        return found.isEmpty() ? Optional.empty() : Optional.ofNullable(parse(found.getFirst()[0], found.getFirst()[1]));
    }

    /** A stored snapshot, or null (logged) when absent or unreadable: one bad record never breaks a reader. */
    private static RunSnapshot parse(String runId, String json) {
        if (json == null) return null;
        try {
            return read(runId, json);
        } catch (RuntimeException e) {
            LOG.warn("the history record of run {} is unreadable: {}", oneLine(runId), oneLine(e.getMessage()));
            return null;
        }
    }

    private static RunSnapshot read(String runId, String json) {
        if (json == null || json.isBlank()) throw new IllegalArgumentException("empty");
        RunSnapshot s;
        try {
            s = Json.read(json, RunSnapshot.class);
        } catch (RuntimeException e) {
            var cause = e.getCause() != null ? e.getCause() : e;
            var msg = cause instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : cause.getMessage();
            throw new IllegalArgumentException("not a run snapshot (" + msg + ")", e);
        }
        if (s == null || s.runId() == null || s.status() == null) throw new IllegalArgumentException("not a run snapshot (fields missing)");
        if (!s.runId().equals(runId)) throw new IllegalArgumentException("the record names another run, " + s.runId());
        return s;
    }

    private static String oneLine(String s) {
        if (s == null) return "unknown reason";
        var one = s.replaceAll("\\s+", " ").replaceAll("\\p{Cntrl}", "?").strip();
        return one.length() > 200 ? one.substring(0, 200) + "..." : one;
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static void set(PreparedStatement st, int index, Object value) throws SQLException {
        switch (value) {
            case null -> st.setNull(index, Types.NULL);
            case String s -> st.setString(index, s);
            case Integer i -> st.setInt(index, i);
            case Long l -> st.setLong(index, l);
            default -> throw new SQLException("unexpected parameter " + value.getClass());
        }
    }

    /** Stops the writer after writing what it still holds (at most {@code timeout}), and releases the store. */
    public void close(Duration timeout) {
        var w = writer;
        writer = null;
        var watch = lostWatch;
        lostWatch = null;
        if (watch != null) watch.close();
        try {
            if (w != null) w.close(timeout);
        } finally {
            db.close();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
