package dev.tether.control;

import dev.tether.catalog.TetherHome;
import dev.tether.json.Json;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

/**
 * How a client finds the running instance: its Unix-domain socket ({@code socket}), the loopback
 * TCP port when it serves one too ({@code port}, 0: none) and the bearer token, in a file only the
 * user can read ({@code control.json} in the Tether home). {@code instanceId} is sent back on every
 * authorised answer, and {@code processStart} tells the writer from a later process that got the
 * same pid.
 */
public record ControlFile(long pid, String socket, int port, String token, String mode, Instant startedAt, String instanceId,
                          Instant processStart) {

    public static Path defaultPath() {
        return TetherHome.dir().resolve("control.json");
    }

    /** The socket's path; null in a file written before the socket existed. */
    public Path socketPath() {
        return socket == null ? null : Path.of(socket);
    }

    /** {@code http://127.0.0.1:PORT} when the instance also listens on loopback TCP, else null. */
    public String baseUrl() {
        return port > 0 ? "http://127.0.0.1:" + port : null;
    }

    /**
     * Whether the process that wrote the file still runs (not merely a process with its pid, nor a
     * killed one that nobody has reaped yet).
     */
    public boolean ownerAlive() {
        return dev.tether.engine.process.ProcessLiveness.isRunning(pid, processStart);
    }

    public static ControlFile read(Path file) throws IOException {
        return Json.mapper().readValue(Files.readAllBytes(file), ControlFile.class);
    }

    /**
     * Writes atomically with owner-only permissions set at creation (a temp file created 0600 and
     * moved into place), so the token is never readable by others, not even briefly. The temp file
     * has an unguessable name, is created exclusively and never through a symbolic link, and is
     * written through the descriptor that created it: nothing swapped in at its path between the
     * create and the write is ever written to. The move replaces a link at {@code file} itself,
     * never what it points to.
     */
    public void write(Path file) throws IOException {
        TetherHome.createPrivate(file.getParent());
        var tmp = file.resolveSibling(file.getFileName() + "." + Long.toUnsignedString(new java.security.SecureRandom().nextLong(), 36) + ".tmp");
        var options = java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        java.nio.channels.SeekableByteChannel out;
        try {
            out = Files.newByteChannel(tmp, options, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) { // not a POSIX file system
            out = Files.newByteChannel(tmp, options);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot create " + tmp, e);
        }
        try (var channel = out) {
            var bytes = java.nio.ByteBuffer.wrap(Json.mapper().writeValueAsBytes(this));
            while (bytes.hasRemaining()) channel.write(bytes);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        // a link swapped in for the temp file after it was written would have been moved in its place
        if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(file);
            throw new IOException("the control file " + file + " was replaced while it was written");
        }
    }
}
