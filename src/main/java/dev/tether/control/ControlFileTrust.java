package dev.tether.control;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Whether a control file may be believed: it hands the client a port to send its requests to, so
 * one that another user owns, or that others could have rewritten, could point the client anywhere.
 */
final class ControlFileTrust {
    private ControlFileTrust() {}

    /** @return null when the file may be used, else the one-line reason it may not */
    static String problem(Path file) throws NoSuchFileException {
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (UnsupportedOperationException e) {
            return null; // not a POSIX file system: the platform's own access control applies
        } catch (IOException e) {
            return "cannot check control file " + file + " (" + e.getMessage() + ")";
        }
        if (attrs.isSymbolicLink()) return "control file " + file + " is a symbolic link; refusing to use it";
        if (!ownedByMe(file, attrs)) {
            return "control file " + file + " is owned by '" + attrs.owner().getName() + "', not by this user; refusing to use it";
        }
        var perms = attrs.permissions();
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            return "control file " + file + " is writable by others (" + PosixFilePermissions.toString(perms)
                    + "); refusing to use it: remove it and restart the console or server";
        }
        return null;
    }

    /** Compares user ids where the platform has them (Linux: the owner of /proc/self), else names. */
    private static boolean ownedByMe(Path file, PosixFileAttributes attrs) {
        try {
            var mine = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            var its = Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return mine.equals(its);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return attrs.owner().getName().equals(System.getProperty("user.name"));
        }
    }
}
