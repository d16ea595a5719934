package dev.tether.engine;

import dev.tether.engine.process.ChildMessage;
import dev.tether.engine.process.WireCheckpoint;
import dev.tether.json.Json;
import dev.tether.run.CancelOrigin;
import dev.tether.run.ErrorInfo;
import dev.tether.run.RunEvent;
import dev.tether.run.StopLevel;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * A child JVM that knows the protocol's handshake (its socket and nonce, from stdin) and then lies:
 * what it sends for a run is the scenario named in the run's input ({@code scenario}). Stands for a
 * child whose graph code found the channel and wrote to it, or a child with a bug.
 */
public final class ForgingChild {
    public static void main(String[] args) throws Exception {
        var stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        @SuppressWarnings("unchecked")
        Map<String, String> hello = Json.read(stdin.readLine(), Map.class);
        var socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        socket.connect(UnixDomainSocketAddress.of(hello.get("socket")));
        var in = new BufferedReader(new InputStreamReader(Channels.newInputStream(socket), StandardCharsets.UTF_8));
        send(socket, ChildMessage.ready(ProcessHandle.current().pid(), hello.get("nonce"), false, false).toLine());
        String line;
        while ((line = in.readLine()) != null) {
            var m = ChildMessage.parse(line);
            if (!ChildMessage.RUN.equals(m.op())) continue;
            var id = m.request().runId();
            var scenario = (String) m.request().input().get("scenario");
            var victim = (String) m.request().input().getOrDefault("victim", "01a00000-0000-7000-8000-000000000000");
            var now = Instant.now();
            switch (scenario) {
                case "honest" -> {
                    event(socket, new RunEvent.NodeStarted(id, "a", now));
                    event(socket, new RunEvent.NodeFinished(id, "a", true, now));
                    event(socket, new RunEvent.Completed(id, now));
                    send(socket, ChildMessage.idle().toLine());
                }
                case "other-run" -> send(socket, ChildMessage.event(new RunEvent.Completed(victim, now)).toLine());
                case "other-run-inside" -> // the message says this run, the event inside says another
                        send(socket, Json.write(Map.of("op", "event", "runId", id,
                                "event", Map.of("type", "completed", "runId", victim, "at", now.toString()))));
                case "lost" -> event(socket, new RunEvent.Lost(id, "forged", now));
                case "submitted" -> event(socket, new RunEvent.Submitted(id, "g", "default", Map.of(), now));
                case "phantom" -> send(socket, ChildMessage.event(new RunEvent.Submitted(victim, "g", "default", Map.of(), now)).toLine());
                case "started" -> event(socket, new RunEvent.Started(id, "w", now));
                case "forced" -> event(socket, new RunEvent.Cancelled(id, null, now, true));
                case "unstarted-node" -> event(socket, new RunEvent.NodeFinished(id, "a", true, now));
                case "completed-in-node" -> {
                    event(socket, new RunEvent.NodeStarted(id, "a", now));
                    event(socket, new RunEvent.Completed(id, now));
                }
                case "garbage" -> send(socket, "this is not a message");
                case "overlong" -> { // 33 MiB without a newline, then nothing
                    var chunk = "x".repeat(1 << 20);
                    for (int i = 0; i < 33; i++) socket.write(ByteBuffer.wrap(chunk.getBytes(StandardCharsets.US_ASCII)));
                }
                case "idle-early" -> send(socket, ChildMessage.idle().toLine());
                case "after-end" -> {
                    event(socket, new RunEvent.Completed(id, now));
                    event(socket, new RunEvent.NodeStarted(id, "late", now));
                }
                case "escapes" -> event(socket, new RunEvent.Failed(id, new ErrorInfo("Boom\u001b[31m", "red \u001b[2J\u202egnp.exe\u009b", "at x\n\tat y\u001b]0;title\u0007"), now));
                case "damaged-checkpoint" -> {
                    var good = WireCheckpoint.of(org.bsc.langgraph4j.checkpoint.Checkpoint.builder().nodeId("a").nextNodeId("b").state(Map.of("k", "v")).build());
                    send(socket, ChildMessage.checkpoint(id, new WireCheckpoint(good.id(), good.node(), good.next(), good.format(), good.data(), good.crc() + 1)).toLine());
                }
                case "step-limit" -> { // its own max-steps, as ChildMain reports it, though claiming a kill, with escapes
                    event(socket, new RunEvent.NodeStarted(id, "a", now));
                    event(socket, new RunEvent.NodeFinished(id, "a", true, now));
                    event(socket, new RunEvent.CancelRequested(id, now, StopLevel.KILL, CancelOrigin.STEP_LIMIT, "max-steps 1\u001b[31m"));
                    event(socket, new RunEvent.Cancelled(id, null, now));
                    send(socket, ChildMessage.idle().toLine());
                }
                case "person-cancel" -> event(socket, new RunEvent.CancelRequested(id, now, StopLevel.CANCEL, CancelOrigin.CLI, null));
                case "second-step-limit" -> {
                    event(socket, new RunEvent.CancelRequested(id, now, StopLevel.AFTER_NODE, CancelOrigin.STEP_LIMIT, "max-steps 1"));
                    event(socket, new RunEvent.CancelRequested(id, now, StopLevel.AFTER_NODE, CancelOrigin.STEP_LIMIT, "max-steps 1"));
                }
                default -> throw new IllegalArgumentException(scenario);
            }
        }
    }

    private static void event(SocketChannel socket, RunEvent event) throws Exception {
        send(socket, ChildMessage.event(event).toLine());
    }

    private static void send(SocketChannel socket, String line) throws Exception {
        var buffer = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) socket.write(buffer);
    }
}
