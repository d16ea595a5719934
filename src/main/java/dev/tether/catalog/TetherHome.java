package dev.tether.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Tether's per-user folder: {@code -Dtether.home}, {@code TETHER_HOME}, else {@code ~/.tether}. It
 * holds the control file's token, the store and the plugins: it is created readable by the user only,
 * and a folder that already exists is used only if it is private ({@link #requirePrivate}).
 */
public final class TetherHome {
    private static volatile Integer ownUid;

    private TetherHome() {}

    public static Path dir() {
        var prop = System.getProperty("tether.home");
        if (prop != null && !prop.isBlank()) return Path.of(prop);
        var env = System.getenv("TETHER_HOME");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".tether");
    }

    /**
     * Creates {@code dir} (and missing parents) readable by the user only ({@code 0700}): it holds
     * the control file's token. A folder that exists already must be private.
     *
     * @throws UnsafeFolderException when it exists and is not private
     */
    public static void createPrivate(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            requirePrivate(dir, "Tether home");
            return;
        }
        var parent = dir.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(dir);
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            requirePrivate(dir, "Tether home"); // another process created it first (or something else is there)
        }
    }

    /**
     * Refuses a folder that another user (other than root) owns, or that its group or others may
     * write in: whoever can write there could replace the control file, the store or a plugin. A
     * folder that does not exist yet passes (it is created private). Where the file system has no
     * owners and modes (not POSIX) there is nothing to check.
     *
     * @param what how the folder is named in the error ("Tether home", "plugins folder")
     * @throws UnsafeFolderException with a one-line reason
     */
    public static void requirePrivate(Path dir, String what) {
        requirePrivate(dir, what, ownUid());
    }

    /** {@link #requirePrivate(Path, String)} for a process of user {@code own} (negative: unknown, not checked). */
    static void requirePrivate(Path dir, String what, int own) {
        if (dir == null || !Files.exists(dir)) return;
        java.util.Set<PosixFilePermission> perms;
        int uid;
        try {
            perms = Files.getPosixFilePermissions(dir);
            uid = (Integer) Files.getAttribute(dir, "unix:uid");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return;
        } catch (IOException e) {
            throw new UnsafeFolderException("cannot check the " + what + " " + dir + ": " + e.getMessage());
        }
        if (own >= 0 && uid != own && uid != 0) {
            throw new UnsafeFolderException("the " + what + " " + dir + " belongs to another user (uid " + uid + "); use a folder of your own");
        }
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new UnsafeFolderException("the " + what + " " + dir + " can be written by " + (perms.contains(PosixFilePermission.OTHERS_WRITE)
                    ? "other users" : "its group") + " (" + PosixFilePermissions.toString(perms) + "); make it private: chmod go-w " + dir);
        }
    }

    /** This process's user id, as the owner of a file it creates (the file system's view, whatever the password database says). */
    static int ownUid() {
        var known = ownUid;
        if (known != null) return known;
        try {
            var probe = Files.createTempFile("tether-uid", ".probe");
            try {
                known = (Integer) Files.getAttribute(probe, "unix:uid");
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException | RuntimeException e) {
            known = -1;
        }
        ownUid = known;
        return known;
    }
}
