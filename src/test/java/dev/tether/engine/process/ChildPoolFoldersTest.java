package dev.tether.engine.process;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A pool's socket folder outlives a killed process; the next pool removes it, and never a live process's. */
class ChildPoolFoldersTest {

    @Test
    void foldersOfGoneProcessesAreRemovedThoseOfLiveOnesKept() throws Exception {
        var tmp = Path.of(System.getProperty("java.io.tmpdir"));
        var ended = new ProcessBuilder("true").start();
        ended.waitFor();
        var gone = Files.createTempDirectory(tmp, "tether-children-" + ended.pid() + "-");
        Files.writeString(gone.resolve("c1.sock"), "");
        var live = Files.createTempDirectory(tmp, "tether-children-" + ProcessHandle.current().pid() + "-");
        try {
            ChildPool.removeLeftFolders();
            assertThat(gone).doesNotExist();
            assertThat(live).isDirectory();
        } finally {
            Files.deleteIfExists(live);
        }
    }
}
