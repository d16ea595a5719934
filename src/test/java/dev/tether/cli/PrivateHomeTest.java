package dev.tether.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line refuses a Tether home or a plugins folder that others can write in, with one line
 * and exit code 7, before it reads or writes anything there (real processes).
 */
class PrivateHomeTest {
    @TempDir Path dir;

    record Result(int exit, String out, String err) {}

    Result tether(Path home, Path plugins, String... args) throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Dtether.home=" + home,
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd);
        pb.environment().put("TETHER_LOG_LEVEL", "OFF");
        if (plugins != null) pb.environment().put("TETHER_PLUGINS", plugins.toString());
        else pb.environment().remove("TETHER_PLUGINS");
        var p = pb.start();
        var out = new String(p.getInputStream().readAllBytes());
        var err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err);
    }

    static Path folder(Path at, String mode) throws Exception {
        Files.createDirectories(at);
        Files.setPosixFilePermissions(at, PosixFilePermissions.fromString(mode));
        return at;
    }

    @Test
    void aHomeItsGroupCanWriteIsRefused() throws Exception {
        var home = folder(dir.resolve("home"), "rwxrwx---");
        var r = tether(home, null, "graphs");
        assertThat(r.exit()).isEqualTo(ExitCodes.UNSAFE_HOME);
        assertThat(r.err().strip()).isEqualTo("tether: the Tether home " + home + " can be written by its group (rwxrwx---); make it private: chmod go-w " + home);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aPluginsFolderOthersCanWriteIsRefused() throws Exception {
        var home = folder(dir.resolve("home"), "rwx------");
        var plugins = folder(dir.resolve("plugins"), "rwxrwxrwx");
        var r = tether(home, plugins, "graphs");
        assertThat(r.exit()).isEqualTo(ExitCodes.UNSAFE_HOME);
        assertThat(r.err().strip()).startsWith("tether: the plugins folder " + plugins + " can be written by other users").doesNotContain("\n");
    }

    @Test
    void aPrivateHomeWorksAndHelpNeedsNone() throws Exception {
        var home = folder(dir.resolve("home"), "rwx------");
        assertThat(tether(home, null, "graphs").exit()).isZero();
        var open = folder(dir.resolve("open"), "rwxrwxrwx");
        var help = tether(open, null, "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("7   the Tether home or the plugins folder is not private");
    }
}
