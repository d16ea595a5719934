package dev.tether.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where the control API's Unix-domain socket lives, and who may be on its other end. The socket
 * sits beside the control file in the Tether home ({@code 0700}): only its owner (and root) can
 * reach it, so a local user without the token cannot even connect. Both ends also ask the kernel
 * who the peer is ({@code SO_PEERCRED}): the server drops a connection from another user, and the
 * client sends its token only to a server of its own user.
 */
final class ControlSocket {
    /** sun_path holds 108 bytes on Linux, 104 on macOS; stay under both with the terminating zero. */
    static final int MAX_PATH_BYTES = 100;

    private ControlSocket() {}

    /**
     * {@code control.sock} beside {@code controlFile}; when that path is too long for a socket, a
     * file named after the home in a private folder of this user under the temporary directory.
     */
    static Path pathFor(Path controlFile) throws IOException {
        var beside = controlFile.toAbsolutePath().resolveSibling(socketName(controlFile));
        if (fits(beside)) return beside;
        var dir = Path.of(System.getProperty("java.io.tmpdir"), "tether-" + me().getName());
        privateFolder(dir);
        var short_ = dir.resolve(digest(beside.toString()) + ".sock");
        if (!fits(short_)) {
            throw new IOException("no path short enough for the control socket (" + beside + " is longer than "
                    + MAX_PATH_BYTES + " bytes); use a shorter TETHER_HOME");
        }
        return short_;
    }

    private static String socketName(Path controlFile) {
        var name = controlFile.getFileName().toString();
        return (name.endsWith(".json") ? name.substring(0, name.length() - 5) : name) + ".sock";
    }

    private static boolean fits(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_PATH_BYTES;
    }

    /** Creates {@code dir} 0700, or accepts an existing one only if it is this user's, no link, and closed to others. */
    private static void privateFolder(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            return;
        } catch (java.nio.file.FileAlreadyExistsException exists) {
            // check it below
        }
        var attrs = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attrs.isDirectory() || !attrs.owner().equals(me())
                || !PosixFilePermissions.toString(attrs.permissions()).endsWith("------")) {
            throw new IOException(dir + " is not a private folder of this user; remove it or use a shorter TETHER_HOME");
        }
    }

    private static String digest(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This process's user, as the file system names owners (so it compares with a socket peer's). */
    static UserPrincipal me() throws IOException {
        var proc = Path.of("/proc/self");
        if (Files.exists(proc)) return Files.getOwner(proc);
        return proc.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
    }
}
