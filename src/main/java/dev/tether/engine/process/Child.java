package dev.tether.engine.process;

import dev.tether.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The parent's handle on one child JVM: messages to and from it on its {@link ChildChannel}, the
 * tail of its output (the reason when it dies), and its destruction with every process it started.
 */
public final class Child {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Child.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Process process;
    private final ChildChannel channel;
    private final ChildOutput output;
    private final boolean subreaper;
    private volatile boolean killed;
    private volatile CompletableFuture<Void> gone;

    private Child(Process process, ChildChannel channel, ChildOutput output, boolean subreaper) {
        this.process = process;
        this.channel = channel;
        this.output = output;
        this.subreaper = subreaper;
    }

    /**
     * Starts a child and waits until it has connected, proved it is the one started, loaded its
     * graphs and said so.
     *
     * @param socketDir a folder only this user can enter, for the socket file
     */
    static Child start(ChildLauncher launcher, Path socketDir, Duration timeout) throws IOException {
        var nonceBytes = new byte[32];
        RANDOM.nextBytes(nonceBytes);
        var nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(nonceBytes);
        Process process = null;
        ChildOutput output = null;
        ChildChannel channel = null;
        try (var listener = ChildChannel.listen(socketDir.resolve("c" + SEQUENCE.incrementAndGet() + ".sock"))) {
            process = new ProcessBuilder(launcher.command()).redirectErrorStream(true).start();
            output = ChildOutput.drain(process);
            var hello = new LinkedHashMap<String, String>();
            hello.put("socket", listener.path().toString());
            hello.put("nonce", nonce);
            // The only thing ever written to its stdin, read before any node runs; then end-of-file:
            // a tool that reads stdin sees nothing of the protocol.
            try (var stdin = process.getOutputStream()) {
                stdin.write((Json.write(hello) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            channel = listener.accept(timeout, process::isAlive);
            ChildMessage ready;
            try {
                ready = channel.next(timeout);
            } catch (ProtocolBreach | java.util.concurrent.TimeoutException e) {
                throw new IOException("it did not say it was ready: " + e.getMessage());
            }
            if (ready == null || !ChildMessage.READY.equals(ready.op())) throw new IOException("its first message was not 'ready'");
            if (ready.nonce() == null || !MessageDigest.isEqual(ready.nonce().getBytes(StandardCharsets.US_ASCII), nonce.getBytes(StandardCharsets.US_ASCII))) {
                throw new IOException("the peer on its channel did not know its nonce");
            }
            if (ready.pid() == null || ready.pid() != process.pid()) throw new IOException("the peer on its channel is not process " + process.pid());
            boolean subreaper = Boolean.TRUE.equals(ready.subreaper());
            if (!subreaper) LOG.debug("child {} is not a subreaper: processes re-parented away from it cannot be found", process.pid());
            return new Child(process, channel, output, subreaper);
        } catch (IOException | RuntimeException e) {
            if (channel != null) channel.close();
            if (process == null) throw e;
            var failed = new Child(process, null, output, false);
            failed.kill();
            throw new IOException("child JVM did not start (" + e.getMessage() + "): " + failed.deathReason(), e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** Whether it became a subreaper (then nothing its nodes start can leave its tree unseen). */
    public boolean subreaper() {
        return subreaper;
    }

    public boolean isAlive() {
        return process.isAlive() && !killed;
    }

    /** Alive, and said nothing since its last run (an idle child has nothing to say). */
    boolean isQuietAndAlive() {
        return isAlive() && channel.quiet();
    }

    /**
     * The next message; null once its channel is closed (it died or was killed).
     *
     * @throws ProtocolBreach for a line that is too long or not a message
     */
    public ChildMessage next() throws ProtocolBreach {
        return channel.next();
    }

    /** Like {@link #next()}, waiting at most {@code timeout}. */
    public ChildMessage next(Duration timeout) throws ProtocolBreach, java.util.concurrent.TimeoutException {
        return channel.next(timeout);
    }

    /** Sends a message; a child that cannot take it is dead, which its reader learns from the end of its channel. */
    public void send(ChildMessage message) {
        try {
            channel.send(message);
        } catch (IOException e) {
            LOG.debug("child {} did not take {}: {}", pid(), message.op(), e.toString());
        }
    }

    /**
     * Destroys the child and every process it started (level 3). Idempotent.
     *
     * @return completes once all of them are confirmed gone
     */
    public synchronized CompletableFuture<Void> kill() {
        killed = true;
        if (gone == null) {
            gone = ProcessTree.kill(process.toHandle(), true);
            // Its end of the channel closed with it; closing ours wakes a reader that is still waiting.
            if (channel != null) gone.whenComplete((v, e) -> channel.close());
        }
        return gone;
    }

    public boolean wasKilled() {
        return killed;
    }

    /** Completes when the child and, once it was killed, every process it started are gone. */
    public CompletableFuture<?> exited() {
        var g = gone;
        return g != null ? g : process.onExit();
    }

    /** Why the child ended: exit code and the last lines it wrote (sanitised). */
    public String deathReason() {
        String code;
        try {
            code = process.waitFor(2, TimeUnit.SECONDS) ? "exit code " + process.exitValue() : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = "unknown exit";
        }
        String tail = "";
        if (output != null) {
            output.awaitEnd(200); // the last lines it wrote before it died
            tail = String.join(" | ", output.tail().stream().filter(l -> !l.isBlank()).toList());
        }
        return "child JVM " + pid() + " died (" + code + ")" + (tail.isEmpty() ? "" : ": " + tail);
    }

    @Override
    public String toString() {
        return "child " + pid();
    }
}
