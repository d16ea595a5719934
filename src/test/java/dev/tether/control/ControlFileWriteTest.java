package dev.tether.control;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control file (it holds the bearer token) is written without ever following a symbolic link:
 * something that swaps links in for its temporary file as fast as it can never gets the token
 * written to where the links point.
 */
class ControlFileWriteTest {
    @TempDir Path dir;

    @Test
    void noLinkSwappedInWhileItIsWrittenIsFollowed() throws Exception {
        var home = Files.createDirectory(dir.resolve("home"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        var file = home.resolve("control.json");
        var victim = Files.writeString(dir.resolve("victim"), "");
        var control = new ControlFile(ProcessHandle.current().pid(), null, 4242, "secret-token-" + "x".repeat(40), "embedded",
                Instant.now(), "instance", null);
        var stop = new AtomicBoolean();
        var swapped = new AtomicInteger();
        var swapper = Thread.ofPlatform().start(() -> {
            var predictable = home.resolve("control.json." + ProcessHandle.current().pid() + ".tmp");
            while (!stop.get()) {
                try (var names = Files.newDirectoryStream(home, "control.json.*.tmp")) {
                    for (var tmp : names) {
                        Files.deleteIfExists(tmp);
                        Files.createSymbolicLink(tmp, victim);
                        swapped.incrementAndGet();
                    }
                } catch (Exception e) {
                    // lost a race with the writer: try again
                }
                try {
                    Files.deleteIfExists(predictable);
                    Files.createSymbolicLink(predictable, victim);
                } catch (Exception e) {
                    // same
                }
            }
        });
        int written = 0;
        try {
            for (int i = 0; i < 3_000; i++) {
                try {
                    control.write(file);
                    written++;
                    if (Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        assertThat(ControlFile.read(file).token()).isEqualTo(control.token());
                    }
                } catch (java.io.IOException refused) {
                    // the write saw the swap and refused: nothing was written through a link
                }
                assertThat(Files.readString(victim)).as("the file a swapped-in link points to").isEmpty();
            }
        } finally {
            stop.set(true);
            swapper.join();
        }
        assertThat(written).isPositive();
        assertThat(Files.readString(victim)).isEmpty();
    }
}
