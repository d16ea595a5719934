package dev.tether.store;

import dev.tether.engine.CheckpointCodec;
import dev.tether.engine.CheckpointInfo;
import dev.tether.engine.CheckpointStore;
import dev.tether.engine.EncodedCheckpoint;
import org.bsc.langgraph4j.RunnableConfig;
import org.bsc.langgraph4j.checkpoint.Checkpoint;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checkpoints in the embedded store: one row per checkpoint (its state encoded by
 * {@link CheckpointCodec}, with a checksum), one summary row per run for retention. Every write is
 * its own transaction, so a SIGKILL leaves each checkpoint either whole or absent.
 *
 * <p>Retention: a run keeps at most {@code perRun} checkpoints (its newest); ended runs are kept
 * newest first while there are at most {@code runs} of them and all checkpoints together take at
 * most {@code bytes}. Runs still executing are never evicted.
 *
 * <p>A store that refuses writes (a full disk, a lock held too long) costs resume points, never a
 * run: a refused checkpoint is skipped; the end of a run that could not be recorded (its retention,
 * or a completed run's discard) is kept and recorded with the next write the store takes, so no
 * checkpoint is left behind for good. Refusals are logged when they start, at most once a minute
 * while they last, and when they end.
 */
public final class SqliteCheckpointStore implements CheckpointStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SqliteCheckpointStore.class);

    public record Limits(int runs, long bytes, int perRun) {
        public static final Limits DEFAULT = new Limits(1_000, 512L * 1024 * 1024, 1_000);

        public Limits {
            if (runs < 1 || bytes < 1 || perRun < 1) throw new IllegalArgumentException("checkpoint limits must be positive");
        }
    }

    private static final List<String> SCHEMA = List.of("""
            CREATE TABLE checkpoint (
              thread_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, node TEXT NOT NULL, next_node TEXT NOT NULL,
              written_at INTEGER NOT NULL, format TEXT NOT NULL, state BLOB, checksum INTEGER NOT NULL, bytes INTEGER NOT NULL,
              PRIMARY KEY (thread_id, seq));
            CREATE INDEX checkpoint_by_id ON checkpoint (thread_id, id);
            CREATE TABLE checkpoint_run (
              thread_id TEXT PRIMARY KEY, last_at INTEGER NOT NULL, ended INTEGER NOT NULL DEFAULT 0);
            CREATE INDEX checkpoint_run_by_end ON checkpoint_run (ended, last_at)
            """,
            // version 2: a rollback asked of a live run, on record before it is answered (see rollbackAsked)
            "ALTER TABLE checkpoint_run ADD COLUMN rollback INTEGER NOT NULL DEFAULT 0");

    private final TetherDatabase db;
    private final Limits limits;
    /** Runs whose state could not be stored: warned about once each. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    /** Ends the store refused to record (run id: discard), recorded with its next write; guarded by itself. */
    private final java.util.LinkedHashMap<String, Boolean> endsOwed = new java.util.LinkedHashMap<>();
    /** At most this many ends are remembered while the store refuses; the oldest are given up (and said so). */
    static final int ENDS_OWED_MAX = 100_000;
    private final Refusals refusals = new Refusals();

    public SqliteCheckpointStore(TetherDatabase db, Limits limits) {
        this.db = db;
        this.limits = limits;
        db.ensureSchema("checkpoints", SCHEMA);
    }

    @Override
    public String where() {
        return "sqlite:" + db.file();
    }

    private static String thread(RunnableConfig config) {
        return config.threadId().orElse(THREAD_ID_DEFAULT);
    }

    // ------------------------------------------------------------------ BaseCheckpointSaver

    @Override
    public RunnableConfig put(RunnableConfig config, Checkpoint checkpoint) {
        var runId = thread(config);
        CheckpointCodec.Encoded enc;
        try {
            enc = CheckpointCodec.encode(checkpoint.getState(), true);
        } catch (IllegalArgumentException e) {
            if (warned.add(runId)) LOG.warn("run {}: checkpoint after {} not stored: {}", runId, checkpoint.getNodeId(), e.getMessage());
            return config;
        }
        return store(config, new EncodedCheckpoint(checkpoint.getId(), checkpoint.getNodeId(), checkpoint.getNextNodeId(), enc));
    }

    /** A child JVM's checkpoint: its bytes are stored as they came (their checksum was checked), never decoded here. */
    @Override
    public RunnableConfig putEncoded(RunnableConfig config, EncodedCheckpoint checkpoint) {
        CheckpointCodec.verify(checkpoint.state().bytes(), checkpoint.state().checksum());
        return store(config, checkpoint);
    }

    private RunnableConfig store(RunnableConfig config, EncodedCheckpoint checkpoint) {
        var runId = thread(config);
        var replace = config.checkPointId().orElse(null);
        long now = System.currentTimeMillis();
        payEndsOwed();
        try {
            write(runId, checkpoint, replace, now);
            refusals.accepted();
        } catch (StoreException e) { // a full disk or a store locked too long costs a resume point, never the run
            refusals.refused("run " + runId + ": checkpoint after " + checkpoint.node() + " not stored", e);
            return config;
        }
        return replace != null ? config : RunnableConfig.builder(config).checkPointId(checkpoint.id()).build();
    }

    private void write(String runId, EncodedCheckpoint checkpoint, String replace, long now) {
        db.write(c -> {
            if (replace != null) {
                try (var u = c.prepareStatement("UPDATE checkpoint SET id=?, node=?, next_node=?, written_at=?, format=?, state=?, "
                        + "checksum=?, bytes=? WHERE thread_id=? AND id=?")) {
                    bind(u, 1, checkpoint, now);
                    u.setString(9, runId);
                    u.setString(10, replace);
                    if (u.executeUpdate() == 0) throw new SQLException("checkpoint " + replace + " of run " + runId + " not found");
                }
            } else {
                insert(c, runId, checkpoint, now);
                trimRun(c, runId);
            }
            touch(c, runId, now);
            return null;
        });
    }

    private static void insert(Connection c, String runId, EncodedCheckpoint cp, long at) throws SQLException {
        try (var i = c.prepareStatement("INSERT INTO checkpoint (id, node, next_node, written_at, format, state, checksum, bytes, thread_id, seq) "
                + "VALUES (?,?,?,?,?,?,?,?,?, (SELECT coalesce(max(seq), 0) + 1 FROM checkpoint WHERE thread_id = ?))")) {
            bind(i, 1, cp, at);
            i.setString(9, runId);
            i.setString(10, runId);
            i.executeUpdate();
        }
    }

    private static void bind(java.sql.PreparedStatement s, int from, EncodedCheckpoint cp, long at) throws SQLException {
        s.setString(from, cp.id());
        s.setString(from + 1, cp.node());
        s.setString(from + 2, cp.next());
        s.setLong(from + 3, at);
        s.setString(from + 4, cp.state().format().name());
        s.setBytes(from + 5, cp.state().bytes());
        s.setLong(from + 6, cp.state().checksum());
        s.setLong(from + 7, cp.state().bytes().length);
    }

    private void trimRun(Connection c, String runId) throws SQLException {
        try (var d = c.prepareStatement("DELETE FROM checkpoint WHERE thread_id = ? AND seq <= "
                + "(SELECT max(seq) FROM checkpoint WHERE thread_id = ?) - ?")) {
            d.setString(1, runId);
            d.setString(2, runId);
            d.setInt(3, limits.perRun());
            d.executeUpdate();
        }
    }

    private static void touch(Connection c, String runId, long at) throws SQLException {
        try (var u = c.prepareStatement("INSERT INTO checkpoint_run (thread_id, last_at) VALUES (?, ?) "
                + "ON CONFLICT(thread_id) DO UPDATE SET last_at = excluded.last_at")) {
            u.setString(1, runId);
            u.setLong(2, at);
            u.executeUpdate();
        }
    }

    @Override
    public Collection<Checkpoint> list(RunnableConfig config) {
        var rows = rows(thread(config));
        var out = new ArrayList<Checkpoint>(rows.size());
        for (int i = rows.size() - 1; i >= 0; i--) { // newest first, as LangGraph4j's savers list
            var r = rows.get(i);
            if (r.state != null) out.add(r.state);
        }
        return out;
    }

    /**
     * The checkpoint asked for, else the run's newest. A damaged one is an error, never a silent
     * fall-back to an older state: a resume must start exactly where it was asked to.
     */
    @Override
    public Optional<Checkpoint> get(RunnableConfig config) {
        var runId = thread(config);
        var wanted = config.checkPointId().orElse(null);
        var row = db.read(c -> {
            var sql = "SELECT id, node, next_node, written_at, format, state, checksum, bytes FROM checkpoint WHERE thread_id = ?"
                    + (wanted == null ? "" : " AND id = ?") + " ORDER BY seq DESC LIMIT 1";
            try (var q = c.prepareStatement(sql)) {
                q.setString(1, runId);
                if (wanted != null) q.setString(2, wanted);
                try (var rs = q.executeQuery()) {
                    return rs.next() ? row(rs, true) : null;
                }
            }
        });
        if (row == null) return Optional.empty();
        if (row.state == null) {
            throw new IllegalStateException("checkpoint after node '" + row.info.node() + "' of run " + runId + " is unreadable: " + row.info.error());
        }
        return Optional.of(row.state);
    }

    /** The row as stored, checked by its checksum but not decoded: a child JVM decodes it. */
    @Override
    public Optional<EncodedCheckpoint> getEncoded(RunnableConfig config) {
        var runId = thread(config);
        var wanted = config.checkPointId().orElse(null);
        return Optional.ofNullable(db.read(c -> {
            var sql = "SELECT id, node, next_node, format, state, checksum FROM checkpoint WHERE thread_id = ?"
                    + (wanted == null ? "" : " AND id = ?") + " ORDER BY seq DESC LIMIT 1";
            try (var q = c.prepareStatement(sql)) {
                q.setString(1, runId);
                if (wanted != null) q.setString(2, wanted);
                try (var rs = q.executeQuery()) {
                    if (!rs.next()) return null;
                    var node = rs.getString(2);
                    try {
                        var enc = new CheckpointCodec.Encoded(CheckpointCodec.Format.valueOf(rs.getString(4)), rs.getBytes(5), rs.getLong(6));
                        CheckpointCodec.verify(enc.bytes(), enc.checksum());
                        return new EncodedCheckpoint(rs.getString(1), node, rs.getString(3), enc);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalStateException("checkpoint after node '" + node + "' of run " + runId + " is unreadable: " + e.getMessage(), e);
                    }
                }
            }
        }));
    }

    @Override
    public Tag release(RunnableConfig config) {
        delete(thread(config));
        return new Tag(thread(config), List.of());
    }

    // ------------------------------------------------------------------ CheckpointStore

    /** Checked by checksum and format, not decoded: describing a run's checkpoints stays cheap for large states. */
    @Override
    public List<CheckpointInfo> describe(String runId) {
        return rows(runId, false).stream().map(r -> r.info).toList();
    }

    @Override
    public CheckpointInfo fork(String toRunId, dev.tether.run.ResumeOf from) {
        var fromRunId = from.runId();
        var chosen = CheckpointStore.choose(describe(fromRunId), from);
        db.write(c -> {
            long upTo;
            try (var q = c.prepareStatement("SELECT max(seq) FROM checkpoint WHERE thread_id = ? AND id = ?")) {
                q.setString(1, fromRunId);
                q.setString(2, chosen.id());
                try (var rs = q.executeQuery()) {
                    rs.next();
                    upTo = rs.getLong(1);
                }
            }
            try (var copy = c.prepareStatement("INSERT INTO checkpoint (thread_id, seq, id, node, next_node, written_at, format, state, checksum, bytes) "
                    + "SELECT ?, seq, id, node, next_node, written_at, format, state, checksum, bytes FROM checkpoint "
                    + "WHERE thread_id = ? AND seq <= ?")) {
                copy.setString(1, toRunId);
                copy.setString(2, fromRunId);
                copy.setLong(3, upTo);
                copy.executeUpdate();
            }
            touch(c, toRunId, System.currentTimeMillis());
            return null;
        });
        return chosen;
    }

    @Override
    public void ended(String runId, boolean discard, Set<String> live) {
        warned.remove(runId);
        payEndsOwed();
        try {
            recordEnd(runId, discard, live); // (success here proves little: a discard of nothing writes nothing)
        } catch (StoreException e) {
            synchronized (endsOwed) {
                endsOwed.merge(runId, discard, Boolean::logicalOr);
                if (endsOwed.size() > ENDS_OWED_MAX) {
                    var oldest = endsOwed.keySet().iterator().next();
                    endsOwed.remove(oldest);
                    LOG.warn("run {}: its end could not be recorded in the store; its checkpoints stay until removed by hand", oldest);
                }
            }
            refusals.refused("run " + runId + ": its end was not recorded (recorded with the store's next write)", e);
        }
    }

    /**
     * On record, before the rollback is answered: should this process die before the run's end, the
     * end found later (LOST, by the next start) discards its checkpoints all the same. A checkpoint the
     * run writes after this keeps the mark (the row is only touched).
     */
    @Override
    public void rollbackAsked(String runId) {
        db.write(c -> {
            try (var u = c.prepareStatement("INSERT INTO checkpoint_run (thread_id, last_at, rollback) VALUES (?, ?, 1) "
                    + "ON CONFLICT(thread_id) DO UPDATE SET rollback = 1")) {
                u.setString(1, runId);
                u.setLong(2, System.currentTimeMillis());
                u.executeUpdate();
            }
            return null;
        });
    }

    private boolean rollbackOnRecord(String runId) {
        return db.read(c -> {
            try (var q = c.prepareStatement("SELECT rollback FROM checkpoint_run WHERE thread_id = ?")) {
                q.setString(1, runId);
                try (var rs = q.executeQuery()) {
                    return rs.next() && rs.getInt(1) == 1;
                }
            }
        });
    }

    /** @param live the runs retention must not touch; null: only mark the end (the next end with its live runs evicts) */
    private void recordEnd(String runId, boolean discard, Set<String> live) {
        if (discard || rollbackOnRecord(runId)) {
            delete(runId);
            return;
        }
        db.write(c -> {
            try (var u = c.prepareStatement("UPDATE checkpoint_run SET ended = 1 WHERE thread_id = ?")) {
                u.setString(1, runId);
                u.executeUpdate();
            }
            if (live != null) evict(c, live);
            return null;
        });
    }

    /** Records the ends the store refused before, oldest first, while it takes them. */
    private void payEndsOwed() {
        while (true) {
            java.util.Map.Entry<String, Boolean> next;
            synchronized (endsOwed) {
                if (endsOwed.isEmpty()) return;
                next = endsOwed.entrySet().iterator().next();
            }
            try {
                recordEnd(next.getKey(), next.getValue(), null);
            } catch (StoreException e) {
                return; // still refused: kept for the next write
            }
            synchronized (endsOwed) {
                endsOwed.remove(next.getKey(), next.getValue());
            }
        }
    }

    /** Ends not recorded yet because the store refused them (for tests). */
    int endsOwed() {
        synchronized (endsOwed) {
            return endsOwed.size();
        }
    }

    /** Says when the store starts refusing writes, at most once a minute while it goes on, and when it takes them again. */
    private static final class Refusals {
        private final dev.tether.logging.FailureSpell spell = new dev.tether.logging.FailureSpell();

        void refused(String what, StoreException e) {
            switch (spell.failed(null)) {
                case STARTED -> LOG.warn("{}: {}; checkpoints are skipped until the store takes writes again", what, e.getMessage());
                case AGAIN -> LOG.warn("the store still refuses checkpoint writes ({} refused so far): {}", spell.failures(), e.getMessage());
                case NOTHING -> { }
            }
        }

        void accepted() {
            var over = spell.recovered();
            if (over != null) LOG.warn("the store takes checkpoint writes again after {} s ({} refused)", over.seconds(), over.failures());
        }
    }

    /** Drops the oldest ended runs until both limits hold. */
    private void evict(Connection c, Set<String> live) throws SQLException {
        long runs;
        long bytes;
        try (var s = c.createStatement(); var rs = s.executeQuery(
                "SELECT (SELECT count(*) FROM checkpoint_run WHERE ended = 1), (SELECT coalesce(sum(bytes), 0) FROM checkpoint)")) {
            rs.next();
            runs = rs.getLong(1);
            bytes = rs.getLong(2);
        }
        if (runs <= limits.runs() && bytes <= limits.bytes()) return;
        var victims = new ArrayList<String>();
        try (var q = c.prepareStatement("SELECT r.thread_id, (SELECT coalesce(sum(bytes), 0) FROM checkpoint k WHERE k.thread_id = r.thread_id) "
                + "FROM checkpoint_run r WHERE ended = 1 ORDER BY last_at");
             var rs = q.executeQuery()) {
            while (rs.next() && (runs > limits.runs() || bytes > limits.bytes())) {
                var id = rs.getString(1);
                if (live.contains(id)) continue;
                victims.add(id);
                runs--;
                bytes -= rs.getLong(2);
            }
        }
        for (var id : victims) deleteIn(c, id);
        if (!victims.isEmpty()) LOG.debug("checkpoint retention removed {} runs", victims.size());
    }

    private void delete(String runId) {
        db.write(c -> {
            deleteIn(c, runId);
            return null;
        });
    }

    private static void deleteIn(Connection c, String runId) throws SQLException {
        for (var sql : List.of("DELETE FROM checkpoint WHERE thread_id = ?", "DELETE FROM checkpoint_run WHERE thread_id = ?")) {
            try (var d = c.prepareStatement(sql)) {
                d.setString(1, runId);
                d.executeUpdate();
            }
        }
    }

    /** Total stored bytes, for tests and the benchmark. */
    public long storedBytes() {
        return db.read(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT coalesce(sum(bytes), 0) FROM checkpoint")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private record Row(CheckpointInfo info, Checkpoint state) {}

    private List<Row> rows(String runId) {
        return rows(runId, true);
    }

    /** A run's checkpoints, oldest first, each decoded (or only checked) or with the reason it cannot be. */
    private List<Row> rows(String runId, boolean decode) {
        return db.read(c -> {
            try (var q = c.prepareStatement("SELECT id, node, next_node, written_at, format, state, checksum, bytes "
                    + "FROM checkpoint WHERE thread_id = ? ORDER BY seq")) {
                q.setString(1, runId);
                try (var rs = q.executeQuery()) {
                    var out = new ArrayList<Row>();
                    while (rs.next()) out.add(row(rs, decode));
                    return out;
                }
            }
        });
    }

    private static Row row(ResultSet rs, boolean decode) throws SQLException {
        var id = rs.getString(1);
        var node = rs.getString(2);
        var next = rs.getString(3);
        var at = Instant.ofEpochMilli(rs.getLong(4));
        var bytes = rs.getBytes(6);
        long size = rs.getLong(8);
        try {
            var format = CheckpointCodec.Format.valueOf(rs.getString(5));
            if (!decode) {
                CheckpointCodec.verify(bytes, rs.getLong(7));
                return new Row(new CheckpointInfo(id, node, next, at, size, null), null);
            }
            var state = CheckpointCodec.decode(format, bytes, rs.getLong(7));
            var cp = Checkpoint.builder().id(id).nodeId(node).nextNodeId(next).state(state).build();
            return new Row(new CheckpointInfo(id, node, next, at, size, null), cp);
        } catch (RuntimeException e) { // a damaged row is reported for its run, never thrown at the caller
            return new Row(new CheckpointInfo(id, node, next, at, size, e.getMessage()), null);
        }
    }
}
