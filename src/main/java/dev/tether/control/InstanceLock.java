package dev.tether.control;

import dev.tether.catalog.TetherHome;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The right to serve a Tether home's control API: an exclusive lock on a file beside the control
 * file, held for the life of the server. The kernel lets go of it when the process ends, however it
 * ends (a killed process, even one nobody has reaped yet, holds none), so "is another instance
 * running?" needs no pid, no start time and no request to a server that may be too busy to answer.
 * Taken before anything else starts: a refused second instance starts no engine.
 */
public final class InstanceLock implements AutoCloseable {
    /**
     * Lock files this JVM holds. A second channel on a held file is never opened: closing it would
     * drop this process's lock (POSIX locks belong to the process, and any close of the file releases them).
     */
    private static final Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path controlFile;
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceLock(Path controlFile, Path path, FileChannel channel, FileLock lock) {
        this.controlFile = controlFile;
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code controlFile}'s home.
     *
     * @throws IllegalStateException when another live instance holds it (the message names its pid when known)
     */
    public static InstanceLock claim(Path controlFile) throws IOException {
        TetherHome.createPrivate(controlFile.toAbsolutePath().getParent());
        var path = lockFile(controlFile).toAbsolutePath().normalize();
        if (!HELD.add(path)) throw held(controlFile);
        try {
            return lock(controlFile, path);
        } catch (IOException | RuntimeException e) {
            HELD.remove(path);
            throw e;
        }
    }

    private static InstanceLock lock(Path controlFile, Path path) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            lock = null;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw held(controlFile);
        }
        return new InstanceLock(controlFile, path, channel, lock);
    }

    private static IllegalStateException held(Path controlFile) {
        return new IllegalStateException("another Tether instance" + holder(controlFile) + " is running with control file "
                + controlFile + "; stop it or use another TETHER_HOME");
    }

    static Path lockFile(Path controlFile) {
        return controlFile.resolveSibling(controlFile.getFileName() + ".lock");
    }

    private static String holder(Path controlFile) {
        try {
            return " (pid " + ControlFile.read(controlFile).pid() + ")";
        } catch (IOException | RuntimeException e) {
            return ""; // starting, or its file is unreadable: the lock is what counts
        }
    }

    public Path controlFile() {
        return controlFile;
    }

    boolean held() {
        return lock.isValid();
    }

    @Override
    public synchronized void close() {
        if (!channel.isOpen()) return;
        try {
            channel.close(); // releases the lock
        } catch (IOException ignored) {
            // the process ending releases it too
        } finally {
            HELD.remove(path);
        }
    }
}
