package dev.tether.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Tether home and the plugins folder are used only when no one else can write in them. */
class TetherHomeTest {
    @TempDir Path dir;

    static Path folder(Path parent, String name, String mode) throws Exception {
        var f = Files.createDirectory(parent.resolve(name));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void aNewHomeIsCreatedPrivate() throws Exception {
        var home = dir.resolve("a/b/home");
        TetherHome.createPrivate(home);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).isEqualTo("rwx------");
    }

    @Test
    void aFolderTheGroupOrOthersCanWriteIsRefused() throws Exception {
        var group = folder(dir, "group", "rwxrwx---");
        var others = folder(dir, "others", "rwx---rwx");
        assertThatThrownBy(() -> TetherHome.createPrivate(group)).isInstanceOf(UnsafeFolderException.class)
                .hasMessage("the Tether home " + group + " can be written by its group (rwxrwx---); make it private: chmod go-w " + group);
        assertThatThrownBy(() -> TetherHome.requirePrivate(others, "plugins folder")).isInstanceOf(UnsafeFolderException.class)
                .hasMessageStartingWith("the plugins folder " + others + " can be written by other users");
    }

    @Test
    void aFolderOfAnotherUserIsRefusedOneOfRootIsNot() throws Exception {
        var mine = folder(dir, "mine", "rwxr-xr-x");
        int owner = (Integer) Files.getAttribute(mine, "unix:uid");
        assertThat(TetherHome.ownUid()).as("this process's uid, as the file system sees it").isEqualTo(owner);
        assertThatCode(() -> TetherHome.requirePrivate(mine, "Tether home")).doesNotThrowAnyException();
        // a folder of another user's: as root, give it away; otherwise, look at ours as another user would
        var theirs = folder(dir, "theirs", "rwxr-xr-x");
        int process = owner;
        if (owner == 0) Files.setAttribute(theirs, "unix:uid", 4242);
        else process = owner + 1;
        int seenBy = process;
        int theirUid = (Integer) Files.getAttribute(theirs, "unix:uid");
        assertThatThrownBy(() -> TetherHome.requirePrivate(theirs, "Tether home", seenBy)).isInstanceOf(UnsafeFolderException.class)
                .hasMessage("the Tether home " + theirs + " belongs to another user (uid " + theirUid + "); use a folder of your own");
        // a folder of root's (a system-wide plugins folder) is as safe as one's own
        assertThatCode(() -> TetherHome.requirePrivate(Path.of("/usr"), "plugins folder", 4242)).doesNotThrowAnyException();
    }

    @Test
    void aPluginsFolderOthersCanWriteIsRefusedByTheCatalog() throws Exception {
        var plugins = folder(dir, "plugins", "rwxrwxrwx");
        assertThatThrownBy(() -> GraphCatalog.load(plugins)).isInstanceOf(UnsafeFolderException.class)
                .hasMessageContaining("plugins folder");
    }
}
