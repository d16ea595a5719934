package dev.tether.engine.process;

import dev.tether.control.ControlFile;
import dev.tether.store.ProcessOwner;
import dev.tether.testing.UnreapedProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A killed process that nobody has reaped yet is dead to every liveness check Tether makes. */
@Tag("process")
class ProcessLivenessTest {
    @TempDir Path dir;

    @Test
    void aKilledProcessNobodyReapedIsDeadThoughTheJdkStillCallsItAlive() throws Exception {
        try (var sleeper = UnreapedProcess.start(new ProcessBuilder("sleep", "600"), dir.resolve("sleep.log"))) {
            var handle = sleeper.handle();
            var start = handle.info().startInstant().orElseThrow();
            var owner = new ProcessOwner(sleeper.pid(), start.toEpochMilli());
            var control = new ControlFile(sleeper.pid(), null, 1, "token", "embedded", Instant.now(), "instance", start);
            assertThat(ProcessLiveness.isRunning(sleeper.pid())).isTrue();
            assertThat(owner.isAlive()).isTrue();
            assertThat(control.ownerAlive()).isTrue();
            var gone = ProcessLiveness.whenGone(handle);
            assertThat(gone).isNotDone();

            sleeper.kill(); // SIGKILL; its parent does not reap it
            assertThat(sleeper.isZombie()).isTrue();
            assertThat(handle.isAlive()).as("the JDK's view of a zombie").isTrue();
            assertThat(ProcessLiveness.isRunning(sleeper.pid())).isFalse();
            assertThat(ProcessLiveness.isRunning(sleeper.pid(), start)).isFalse();
            assertThat(owner.isAlive()).as("the owner of a history row").isFalse();
            assertThat(control.ownerAlive()).as("the writer of a control file").isFalse();
            gone.get(10, TimeUnit.SECONDS); // the JDK's onExit would wait for the reap
            assertThat(handle.onExit()).isNotDone();

            sleeper.reap();
            assertThat(sleeper.state()).as("no such process any more").isEqualTo((char) 0);
            assertThat(ProcessLiveness.isRunning(sleeper.pid())).isFalse();
        }
    }

    @Test
    void aRunningProcessIsAliveAndOnlyWithItsOwnStart() {
        var me = ProcessHandle.current();
        long start = me.info().startInstant().orElseThrow().toEpochMilli();
        assertThat(ProcessLiveness.isRunning(me.pid())).isTrue();
        assertThat(ProcessLiveness.isRunning(me.pid(), start)).isTrue();
        assertThat(ProcessLiveness.isRunning(me.pid(), start - 60_000)).as("a pid reused by another process").isFalse();
        assertThat(ProcessLiveness.isRunning(me.pid(), start + 1_000)).as("another JVM's reading of the same start (boot time in whole seconds)").isTrue();
        assertThat(ProcStat.of(me.pid()).orElseThrow().state()).isIn('R', 'S');
    }

    @Test
    void aNameWithSpacesAndParenthesesDoesNotFoolTheStateReader() throws Exception {
        var odd = dir.resolve("a) Z (b");
        java.nio.file.Files.createSymbolicLink(odd, Path.of("/bin/sleep"));
        var p = new ProcessBuilder(odd.toString(), "600").start();
        try {
            assertThat(ProcessLiveness.isRunning(p.pid())).isTrue();
        } finally {
            p.destroyForcibly().waitFor();
        }
    }
}
