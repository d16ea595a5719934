package dev.tether.cli;

import dev.tether.testing.Hang;

import dev.tether.control.ControlFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code serve} that runs out of file descriptors: {@code accept()} fails for a while, and the
 * control API is back as soon as descriptors are free again (its acceptor does not give up).
 */
@Tag("process")
class AcceptFailureIT {

    @Test
    void theApiIsBackOnceAcceptStopsFailingForWantOfFileDescriptors() throws Exception {
        var tether = Launcher.inFreshHome("fds");
        // A descriptor limit the JVM cannot raise: enough to start, soon used up by connections.
        var pb = tether.command("serve");
        var cmd = new ArrayList<>(List.of("/usr/bin/prlimit", "--nofile=400:400", "--"));
        cmd.addAll(pb.command());
        pb.command(cmd).redirectErrorStream(true).redirectOutput(tether.home.resolve("serve.log").toFile());
        var serve = pb.start();
        var connections = new ArrayList<SocketChannel>();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!published(tether.controlFile(), serve.pid())) {
                assertThat(serve.isAlive()).as(Files.readString(tether.home.resolve("serve.log"))).isTrue();
                assertThat(System.nanoTime()).as("serve published its control file").isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(tether.run("list").exit()).isZero();
            var socket = UnixDomainSocketAddress.of(ControlFile.read(tether.controlFile()).socketPath());
            // More connections than serve has descriptors, opened as fast as it accepts them (it closes each
            // 10 s after it opened): its accept() fails with EMFILE.
            var log = tether.home.resolve("serve.log");
            long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!Files.readString(log).contains("Too many open files")) {
                assertThat(System.nanoTime()).as("serve ran out of descriptors").isLessThan(until);
                for (int i = 0; i < 50; i++) {
                    var ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    ch.configureBlocking(false);
                    try {
                        ch.connect(socket);
                        connections.add(ch);
                    } catch (java.io.IOException queueFull) { // the kernel's queue is full: serve is not keeping up, or not accepting
                        ch.close();
                        Thread.sleep(20);
                    }
                }
            }
            for (var ch : connections) ch.close();
            connections.clear();
            await(() -> tether.run("list").exit() == ExitCodes.OK, "the API answers again");
            assertThat(serve.isAlive()).isTrue();
        } finally {
            for (var ch : connections) ch.close();
            Launcher.stop(serve);
        }
    }

    private static boolean published(Path controlFile, long pid) {
        try {
            return Files.exists(controlFile) && ControlFile.read(controlFile).pid() == pid;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition, String what) throws Exception {
        org.awaitility.Awaitility.await(what).atMost(Hang.ACROSS_PROCESSES).pollInterval(Duration.ofMillis(500)).until(condition);
    }
}
