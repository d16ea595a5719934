package dev.tether.cli;

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
            for (int i = 0; i < 600; i++) { // more than serve has descriptors: its accept() fails with EMFILE
                var ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.configureBlocking(false);
                connections.add(ch);
                try {
                    ch.connect(socket);
                } catch (java.io.IOException queueFull) {
                    ch.close(); // the kernel's queue is full too: serve is not accepting
                }
            }
            await(() -> Files.readString(tether.home.resolve("serve.log")).contains("Too many open files"), "serve ran out of descriptors");
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
        org.awaitility.Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(condition);
    }
}
