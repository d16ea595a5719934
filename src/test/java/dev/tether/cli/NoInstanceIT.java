package dev.tether.cli;

import org.junit.jupiter.api.Test;

import dev.tether.testing.Hang;

import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What the command line says when there is nothing to talk to, and how a server ends. */
@org.junit.jupiter.api.Tag("process")
class NoInstanceIT {

    @Test
    void withNothingRunningEveryClientCommandIsExit4WithAHint() throws Exception {
        var tether = Launcher.inFreshHome("none");
        for (var args : new String[][] {{"list"}, {"status", "0123abcd"}, {"cancel-all"}, {"submit", "welcome-email"}}) {
            var r = tether.run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(r.err()).startsWith("tether: no Tether instance is running").endsWith("start one with `tether serve` (headless) or `tether console`");
        }
        // graphs needs no instance
        var graphs = tether.run("graphs", "--json");
        assertThat(graphs.exit()).isZero();
        assertThat(graphs.json().findValuesAsText("id")).contains("book-workflow", "welcome-email", "cpu-crunch", "stubborn");
    }

    /**
     * "is gone": the command looked at the file's process, it did not wait for a connection to time out
     * (how long the command takes, JVM start included, is CliListBench's to measure).
     */
    @Test
    void aControlFileLeftByAKilledServerIsAQuickClearError() throws Exception {
        var tether = Launcher.inFreshHome("stale");
        var server = tether.serve();
        server.destroyForcibly().waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS);
        assertThat(Files.exists(tether.controlFile())).as("SIGKILL leaves the file behind").isTrue();

        var r = tether.run("list");

        assertThat(r.exit()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err()).contains("is gone").contains("tether serve");

        var again = tether.serve(); // a new server replaces the stale file
        try {
            assertThat(tether.run("list").exit()).isZero();
        } finally {
            Launcher.stop(again);
        }
    }

    /** The run cooperates: nothing is left "still running" at the deadline (how soon it exits: ShutdownBench). */
    @Test
    void sigtermCancelsEveryRunAndTheServerExitsRemovingItsControlFile() throws Exception {
        var tether = Launcher.inFreshHome("sigterm");
        // a deadline only a hang reaches: that the run stops before it must not depend on the machine's load
        var server = tether.serve("--shutdown-timeout", Hang.IN_PROCESS_SECONDS + "s");
        try {
            var id = tether.run("submit", "book-workflow", "--input", "nodeMillis=3600000").out();
            assertThat(id).hasSize(36);
            server.destroy(); // SIGTERM
            assertThat(server.waitFor(Hang.ACROSS_PROCESSES_SECONDS, TimeUnit.SECONDS)).isTrue();
        } finally {
            server.destroyForcibly();
        }

        assertThat(Files.exists(tether.controlFile())).isFalse();
        assertThat(Files.readString(tether.home.resolve("serve.log"))).doesNotContain("still running");
    }

    @Test
    void aControlFileOthersCouldHaveWrittenIsRefusedWithExit4() throws Exception {
        var tether = Launcher.inFreshHome("trust");
        var server = tether.serve();
        try {
            assertThat(tether.run("list").exit()).isZero();
            Files.setPosixFilePermissions(tether.controlFile(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
            var r = tether.run("list");
            assertThat(r.exit()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(r.err()).startsWith("tether: control file ").contains("is writable by others").doesNotContain("\n");
            var shortId = tether.run("status", "abc");
            assertThat(shortId.exit()).as("a bad id is bad input before anything else").isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(shortId.err()).isEqualTo("tether: run id 'abc' is too short: give the full id or at least 8 of its characters (the short id)");
        } finally {
            Launcher.stop(server);
        }
    }

    @Test
    void versionAndHelpDocumentTheExitCodes() throws Exception {
        var tether = Launcher.inFreshHome("help");
        assertThat(tether.run("--version").out()).startsWith("tether 0.1.0");
        var help = tether.run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Exit codes:", "3   unknown run", "5   a --wait timed out");
        var bad = tether.run("lisst");
        assertThat(bad.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(bad.err()).startsWith("tether: Unmatched argument");
    }
}
