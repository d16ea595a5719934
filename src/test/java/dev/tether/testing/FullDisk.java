package dev.tether.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A folder for the embedded store ({@code tether.db}) whose disk fills up and empties on demand: the
 * fault "the disk under tether.db is full", for tests and the soak suite.
 *
 * <ul>
 *   <li>{@link Kind#TMPFS}: a small tmpfs mounted on the folder (needs root and a working
 *       {@code mount}); {@link #fill()} writes a filler file until the file system says ENOSPC, so
 *       SQLite's own writes fail with SQLITE_FULL, exactly as on a real full disk; {@link #free()}
 *       deletes it. Any process using the folder (a {@code tether serve} with its home there) sees it.</li>
 *   <li>{@link Kind#REFUSING_STORE}: where no tmpfs can be mounted, an ordinary folder whose store
 *       refuses every write ({@code PRAGMA query_only} on the connection this JVM shares for the file,
 *       so it applies to every store of this JVM on it, not to other processes); {@link #free()}
 *       lifts it.</li>
 * </ul>
 * {@link #create} picks the tmpfs where the machine allows one and says which it got ({@link #kind()}),
 * so a test runs everywhere with the strongest fault available, never skipped.
 */
public final class FullDisk implements AutoCloseable {
    public enum Kind { TMPFS, REFUSING_STORE }

    /** Enough for a store and its write-ahead log in a test; small enough to fill in milliseconds. */
    public static final long TMPFS_BYTES = 8L * 1024 * 1024;

    private final Kind kind;
    private final Path dir;
    private final Thread unmountAtExit;
    private dev.tether.store.TetherDatabase shared; // REFUSING_STORE: this JVM's connection to the file
    private boolean full;

    private FullDisk(Kind kind, Path dir, Thread unmountAtExit) {
        this.kind = kind;
        this.dir = dir;
        this.unmountAtExit = unmountAtExit;
    }

    /** A tmpfs under {@code parent} where one can be mounted, else a refusing store; the store goes in {@link #dir()}. */
    public static FullDisk create(Path parent) throws IOException {
        var dir = Files.createDirectories(parent.resolve("full-disk"));
        if (mount(dir)) {
            var unmount = Thread.ofPlatform().unstarted(() -> run("umount", "-l", dir.toString()));
            Runtime.getRuntime().addShutdownHook(unmount); // a JVM that dies mid-test leaves no mount behind
            return new FullDisk(Kind.TMPFS, dir, unmount);
        }
        return new FullDisk(Kind.REFUSING_STORE, dir, null);
    }

    /** The fault that needs neither root nor mount, wherever the test runs. */
    public static FullDisk refusingStore(Path parent) throws IOException {
        return new FullDisk(Kind.REFUSING_STORE, Files.createDirectories(parent.resolve("refusing-store")), null);
    }

    public Kind kind() {
        return kind;
    }

    /** The folder the store lives in (a Tether home, or the folder of its {@code tether.db}). */
    public Path dir() {
        return dir;
    }

    public Path storeFile() {
        return dir.resolve(dev.tether.store.TetherDatabase.FILE_NAME);
    }

    /** Whether processes other than this JVM see the fault too (a {@code serve} with its home here). */
    public boolean reachesOtherProcesses() {
        return kind == Kind.TMPFS;
    }

    /** From now on the store's writes are refused (the store file must exist for {@link Kind#REFUSING_STORE}). */
    public synchronized void fill() throws IOException {
        if (full) return;
        if (kind == Kind.TMPFS) {
            var buffer = new byte[64 * 1024];
            try (OutputStream out = Files.newOutputStream(filler())) {
                while (true) out.write(buffer);
            } catch (IOException e) {
                if (!e.getMessage().contains("No space left")) throw e;
            }
            // the last bytes of the last partial block
            try (OutputStream out = Files.newOutputStream(filler(), java.nio.file.StandardOpenOption.APPEND)) {
                while (true) out.write(0);
            } catch (IOException e) {
                if (!e.getMessage().contains("No space left")) throw e;
            }
        } else {
            if (shared == null) shared = dev.tether.store.TetherDatabase.open(storeFile());
            shared.read(c -> {
                try (var s = c.createStatement()) {
                    s.execute("PRAGMA query_only = 1");
                }
                return null;
            });
        }
        full = true;
    }

    /** Space returns: the store may write again. */
    public synchronized void free() throws IOException {
        if (!full) return;
        if (kind == Kind.TMPFS) {
            Files.deleteIfExists(filler());
        } else {
            shared.read(c -> {
                try (var s = c.createStatement()) {
                    s.execute("PRAGMA query_only = 0");
                }
                return null;
            });
        }
        full = false;
    }

    public synchronized boolean isFull() {
        return full;
    }

    private Path filler() {
        return dir.resolve("filler.bin");
    }

    @Override
    public synchronized void close() throws IOException {
        free();
        if (shared != null) {
            shared.close();
            shared = null;
        }
        if (kind == Kind.TMPFS) {
            if (!run("umount", dir.toString())) run("umount", "-l", dir.toString()); // a store still open elsewhere: detach it
            Runtime.getRuntime().removeShutdownHook(unmountAtExit);
        }
    }

    private static boolean mount(Path dir) {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) return false;
        if (!"root".equals(System.getProperty("user.name")) || !Files.isExecutable(Path.of("/bin/mount"))) return false;
        return run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_BYTES + ",mode=0700", "tether-full-disk", dir.toString());
    }

    private static boolean run(String... command) {
        try {
            var p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
