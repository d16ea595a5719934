package dev.tether.store;

import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded store: one SQLite file (by default {@code ~/.tether/tether.db}) holding checkpoints
 * and the history of finished runs.
 *
 * <p>Why SQLite: a single file and no server, like the rest of the embedded mode; its write-ahead log
 * makes every committed write survive a SIGKILL of the process (not only a clean exit); several
 * processes may open the file at once (the console, {@code serve}, a CLI reading history, child JVMs),
 * which H2's embedded mode does not allow without its auto-server. Writes are short transactions, so
 * a lock held by another process is waited for ({@code busy_timeout}), not reported as an error.
 *
 * <p>One connection per file per JVM, shared by every engine of the JVM and used under one lock (a
 * SQLite connection is not safe for concurrent use; SQLite serialises writers anyway). Each store
 * (checkpoints, history) creates and upgrades its own tables through {@link #ensureSchema}.
 *
 * <p>A store file that exists but cannot be opened for lack of space or an I/O error (a full disk:
 * SQLite cannot even create its shared-memory file then) does not cost the process its store: the
 * open is tried again with each use until it succeeds, and every use fails with the reason meanwhile.
 */
public final class TetherDatabase implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TetherDatabase.class);
    public static final String FILE_NAME = "tether.db";
    private static final Map<Path, TetherDatabase> OPEN = new HashMap<>();

    private final Path file;
    private final ReentrantLock lock = new ReentrantLock();
    /** Null while the file cannot be opened (see the class comment); guarded by lock. */
    private Connection connection;
    /** Every store's tables, applied again when a deferred open succeeds; guarded by lock. */
    private final Map<String, List<String>> schemas = new java.util.LinkedHashMap<>();
    private int users; // guarded by OPEN

    /** Work done with the connection, under the database's lock. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    private TetherDatabase(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /** The file under Tether's home folder. */
    public static Path defaultFile() {
        return dev.tether.catalog.TetherHome.dir().resolve(FILE_NAME);
    }

    /**
     * Opens (or shares the already open) store in {@code file}, creating it and its folder. A file
     * that is not a SQLite database (truncated, overwritten) is moved aside as
     * {@code tether.db.unreadable-<time>} with a warning and a fresh store is started: a damaged store
     * must never keep the console or a worker from starting.
     *
     * @throws StoreException when the file cannot be opened at all (permissions, disk)
     */
    public static TetherDatabase open(Path file) {
        var key = file.toAbsolutePath().normalize();
        synchronized (OPEN) {
            var db = OPEN.get(key);
            if (db == null) {
                db = new TetherDatabase(key, connectOrDefer(key));
                OPEN.put(key, db);
            }
            db.users++;
            return db;
        }
    }

    /** The connection, or null (with a warning) when an existing store cannot be opened for lack of space. */
    private static Connection connectOrDefer(Path file) {
        try {
            return connect(file);
        } catch (StoreException e) {
            if (!Files.isRegularFile(file) || !lackOfSpace(e.getCause())) throw e;
            LOG.warn("the store {} cannot be opened now ({}); it is tried again with each use", file, e.getMessage());
            return null;
        }
    }

    /** SQLITE_FULL, or an I/O error (SQLITE_IOERR and its extended codes): what a full disk looks like. */
    private static boolean lackOfSpace(Throwable e) {
        if (!(e instanceof SQLiteException se)) return false;
        int primary = se.getResultCode().code & 0xff;
        return primary == SQLiteErrorCode.SQLITE_FULL.code || primary == SQLiteErrorCode.SQLITE_IOERR.code;
    }

    private static Connection connect(Path file) {
        try {
            var dir = file.getParent();
            if (dir != null) dev.tether.catalog.TetherHome.createPrivate(dir);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create " + file.getParent() + ": " + e.getMessage(), e);
        }
        try {
            makePrivate(file);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot create the store " + file + " readable by its user only: " + e.getMessage(), e);
        }
        try {
            return configure(file);
        } catch (SQLException e) {
            if (!unreadable(e)) throw new StoreException("cannot open the store " + file + ": " + e.getMessage(), e);
            var aside = file.resolveSibling(file.getFileName() + ".unreadable-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            LOG.warn("the store {} is unreadable ({}); it was moved to {} and a new one started", file, e.getMessage(), aside);
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
                for (var suffix : List.of("-wal", "-shm")) Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
                makePrivate(file);
                return configure(file);
            } catch (java.io.IOException | SQLException again) {
                throw new StoreException("the store " + file + " is unreadable and could not be replaced: " + again.getMessage(), again);
            }
        }
    }

    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_ONLY =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");

    /**
     * The store file exists, readable and writable by its user only, before SQLite opens it: SQLite
     * creates a file with the umask's mode (0644 under the usual 022), and gives its -wal and -shm
     * files the database file's mode. A store (and its -wal and -shm) left by an older version with
     * a wider mode is narrowed.
     */
    private static void makePrivate(Path file) throws java.io.IOException {
        try {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (java.nio.file.FileAlreadyExistsException exists) {
            // narrowed below
        } catch (UnsupportedOperationException notPosix) {
            return;
        }
        for (var f : List.of(file, file.resolveSibling(file.getFileName() + "-wal"), file.resolveSibling(file.getFileName() + "-shm"))) {
            if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && !Files.getPosixFilePermissions(f, java.nio.file.LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(f, OWNER_ONLY);
            }
        }
    }

    private static Connection configure(Path file) throws SQLException {
        var c = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (var s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            s.execute("PRAGMA journal_mode = WAL");
            // In WAL mode NORMAL loses nothing when the process dies, only (at most) the last
            // transactions on a power cut; FULL would add an fsync to every checkpoint.
            s.execute("PRAGMA synchronous = NORMAL");
            s.execute("CREATE TABLE IF NOT EXISTS tether_schema (name TEXT PRIMARY KEY, version INTEGER NOT NULL)");
            s.executeQuery("SELECT count(*) FROM sqlite_master").close(); // reads the header: a garbage file fails here
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static boolean unreadable(SQLException e) {
        if (e instanceof SQLiteException se) {
            var code = se.getResultCode();
            return code == SQLiteErrorCode.SQLITE_NOTADB || code == SQLiteErrorCode.SQLITE_CORRUPT;
        }
        return false;
    }

    public Path file() {
        return file;
    }

    /**
     * Creates or upgrades one store's tables: runs {@code steps[i]} for every version {@code i+1}
     * above the one recorded for {@code name}, in one transaction with the new version. A store not
     * open yet gets them when it opens.
     */
    public void ensureSchema(String name, List<String> steps) {
        lock.lock();
        try {
            schemas.put(name, steps);
            if (connection == null) return;
            // Up to date (every start but the first): nothing is written, so a full disk does not keep the store from opening.
            if (version(connection, name) == steps.size()) return;
            inTransaction(connection, c -> upgrade(c, name, steps));
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        } finally {
            lock.unlock();
        }
    }

    private static Void upgrade(Connection c, String name, List<String> steps) throws SQLException {
        int have = version(c, name);
        if (have > steps.size()) {
            throw new SQLException(name + " tables are version " + have + ", newer than this Tether knows (" + steps.size() + ")");
        }
        if (have == steps.size()) return null;
        try (var s = c.createStatement()) {
            for (int v = have; v < steps.size(); v++) {
                for (var sql : steps.get(v).split(";\\s*\n")) if (!sql.isBlank()) s.execute(sql);
            }
        }
        try (var up = c.prepareStatement("INSERT INTO tether_schema(name, version) VALUES (?, ?) "
                + "ON CONFLICT(name) DO UPDATE SET version = excluded.version")) {
            up.setString(1, name);
            up.setInt(2, steps.size());
            up.executeUpdate();
        }
        return null;
    }

    /** The open connection, opening it now if an earlier open was deferred; call under the lock. */
    private Connection connection() throws SQLException {
        if (connection != null) return connection;
        var c = configure(file);
        try {
            for (var schema : schemas.entrySet()) inTransaction(c, k -> upgrade(k, schema.getKey(), schema.getValue()));
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        LOG.warn("the store {} is open now", file);
        connection = c;
        return c;
    }

    private static int version(Connection c, String name) throws SQLException {
        try (var q = c.prepareStatement("SELECT version FROM tether_schema WHERE name = ?")) {
            q.setString(1, name);
            try (var rs = q.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    /** Reads under the lock (no transaction: a single statement is consistent by itself). */
    public <T> T read(SqlWork<T> work) {
        lock.lock();
        try {
            return work.apply(connection());
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} in one transaction: all of it is written, or none. */
    public <T> T write(SqlWork<T> work) {
        lock.lock();
        try {
            return inTransaction(connection(), work);
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        } finally {
            lock.unlock();
        }
    }

    private static <T> T inTransaction(Connection connection, SqlWork<T> work) throws SQLException {
        connection.setAutoCommit(false);
        Exception failed = null;
        try {
            var result = work.apply(connection);
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            failed = e;
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // SQLite rolls a transaction back itself on some failures (a full disk): nothing is left to undo
            }
            throw e;
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException restore) {
                // "cannot commit - no transaction is active" after such a rollback: the first failure
                // is the one to report ("database or disk is full"), not this
                if (failed == null) throw restore;
            }
        }
    }

    private String describe(SQLException e) {
        return "store " + file + ": " + e.getMessage();
    }

    /** Releases this user's share; the connection closes with the last one. */
    @Override
    public void close() {
        synchronized (OPEN) {
            if (--users > 0) return;
            OPEN.remove(file);
        }
        lock.lock();
        try {
            if (connection != null) connection.close();
        } catch (SQLException e) {
            LOG.debug("closing {}: {}", file, e.toString());
        } finally {
            lock.unlock();
        }
    }
}
