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
 */
public final class TetherDatabase implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TetherDatabase.class);
    public static final String FILE_NAME = "tether.db";
    private static final Map<Path, TetherDatabase> OPEN = new HashMap<>();

    private final Path file;
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
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
                db = new TetherDatabase(key, connect(key));
                OPEN.put(key, db);
            }
            db.users++;
            return db;
        }
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
     * above the one recorded for {@code name}, in one transaction with the new version.
     */
    public void ensureSchema(String name, List<String> steps) {
        write(c -> {
            int have = 0;
            try (var q = c.prepareStatement("SELECT version FROM tether_schema WHERE name = ?")) {
                q.setString(1, name);
                try (var rs = q.executeQuery()) {
                    if (rs.next()) have = rs.getInt(1);
                }
            }
            if (have > steps.size()) {
                throw new SQLException(name + " tables are version " + have + ", newer than this Tether knows (" + steps.size() + ")");
            }
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
        });
    }

    /** Reads under the lock (no transaction: a single statement is consistent by itself). */
    public <T> T read(SqlWork<T> work) {
        lock.lock();
        try {
            return work.apply(connection);
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
            connection.setAutoCommit(false);
            try {
                var result = work.apply(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException ignored) {
                    // the connection reports the first failure below
                }
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(describe(e), e);
        } finally {
            lock.unlock();
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
            connection.close();
        } catch (SQLException e) {
            LOG.debug("closing {}: {}", file, e.toString());
        } finally {
            lock.unlock();
        }
    }
}
