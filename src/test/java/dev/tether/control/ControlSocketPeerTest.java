package dev.tether.control;

import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.registry.RunRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The control socket between two users, with a real second user ({@code nobody}, through
 * {@code setpriv}): another user cannot reach the socket, is dropped by the server if the home's
 * permissions were opened, and a socket served by another user never receives the client's token.
 * Switching users needs root (CI runs as root).
 */
class ControlSocketPeerTest {
    private static final String PROBE = """
            import java.net.*;
            import java.nio.*;
            import java.nio.channels.*;
            import java.nio.file.*;
            import java.nio.file.attribute.PosixFilePermissions;
            public class Probe {
                public static void main(String[] a) throws Exception {
                    if (a[0].equals("connect")) {
                        try (var ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                            ch.connect(UnixDomainSocketAddress.of(a[1]));
                            ch.write(ByteBuffer.wrap(("GET /api/hello HTTP/1.1\\r\\nHost: localhost\\r\\nAuthorization: Bearer " + a[2] + "\\r\\n\\r\\n").getBytes()));
                            var buf = ByteBuffer.allocate(4096);
                            int n = ch.read(buf);
                            System.out.println(n < 0 ? "closed" : "answered: " + new String(buf.array(), 0, buf.position()).lines().findFirst().orElse(""));
                        } catch (Exception e) {
                            System.out.println("refused: " + e.getMessage());
                        }
                        return;
                    }
                    try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                        server.bind(UnixDomainSocketAddress.of(a[1]));
                        Files.setPosixFilePermissions(Path.of(a[1]), PosixFilePermissions.fromString("rw-rw-rw-"));
                        System.out.println("listening");
                        try (var ch = server.accept()) {
                            var got = new java.io.ByteArrayOutputStream();
                            var buf = ByteBuffer.allocate(4096);
                            while (ch.read(buf) > 0) { got.write(buf.array(), 0, buf.position()); buf.clear(); }
                            Files.write(Path.of(a[2]), got.toByteArray());
                        }
                    }
                }
            }
            """;

    @TempDir Path scratch;
    LocalEngine engine;
    Path probeDir;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(isRoot() && Files.isExecutable(Path.of("/usr/bin/setpriv")), "switching to another user needs root and setpriv");
        engine = new LocalEngine(EngineConfig.defaults().withConcurrency(1), GraphCatalog.load(null), new RunRegistry());
        probeDir = Files.createTempDirectory(Path.of("/tmp"), "tether-probe");
        Files.setPosixFilePermissions(probeDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(probeDir.resolve("Probe.java"), PROBE);
        Files.setPosixFilePermissions(probeDir.resolve("Probe.java"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwx--x--x")); // others may pass, not list
    }

    @AfterEach
    void stop() throws Exception {
        if (engine != null) engine.shutdown(Duration.ofSeconds(5));
        if (probeDir != null) {
            try (var files = Files.walk(probeDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void anotherUserCannotReachTheSocketAndIsDroppedIfTheHomeWasOpenedToOthers() throws Exception {
        var home = scratch.resolve("home"); // created 0700 by the server
        try (var server = ControlServer.start(engine, home.resolve("control.json"))) {
            var socket = server.socket().toString();
            var token = server.published().token();
            assertThat(asNobody("connect", socket, token)).startsWith("refused: ").containsIgnoringCase("permission denied");

            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(server.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
            assertThat(asNobody("connect", socket, token)).as("reached the socket, dropped unanswered by the server")
                    .satisfiesAnyOf(out -> assertThat(out).isEqualTo("closed"), out -> assertThat(out).startsWith("refused: "));
            assertThat(HttpControlClient.connect(server.controlFile()).hello()).as("the owner is still served")
                    .containsEntry("instanceId", server.published().instanceId());
        }
    }

    @Test
    void theClientSendsNoTokenToASocketServedByAnotherUser() throws Exception {
        var socket = probeDir.resolve("impostor.sock");
        var received = probeDir.resolve("received");
        var impostor = nobody("serve", socket.toString(), received.toString()).start();
        try {
            var line = new java.io.BufferedReader(new java.io.InputStreamReader(impostor.getInputStream())).readLine();
            assertThat(line).isEqualTo("listening");
            var home = scratch.resolve("client-home");
            var file = home.resolve("control.json");
            new ControlFile(ProcessHandle.current().pid(), socket.toString(), 0, "secret-token-never-sent", "embedded", Instant.now(),
                    "impostor", ProcessHandle.current().info().startInstant().orElse(null)).write(file);

            assertThatThrownBy(() -> HttpControlClient.connect(file).list(false)).isInstanceOfSatisfying(ControlException.class, e -> {
                assertThat(e.kind()).isEqualTo(ControlException.Kind.UNREACHABLE);
                assertThat(e.getMessage()).contains("not by this user").contains("the token was not sent");
            });
            assertThat(impostor.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(received, StandardCharsets.ISO_8859_1)).as("what the impostor received").isEmpty();
        } finally {
            impostor.destroyForcibly();
        }
    }

    private String asNobody(String... args) throws Exception {
        var p = nobody(args).redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        var lines = out.lines().toList();
        return lines.isEmpty() ? "" : lines.getLast();
    }

    private ProcessBuilder nobody(String... args) {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var cmd = new java.util.ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                java, "-XX:-UsePerfData", "-Xshare:off", probeDir.resolve("Probe.java").toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(probeDir.toFile());
    }

    private static boolean isRoot() throws Exception {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }
}
