package dev.tether.engine.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The parent's handle on one child JVM: lines to and from it, the tail of its stderr (the reason
 * when it dies), and its destruction with every process it started.
 */
public final class Child {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Child.class);
    private static final int TAIL_LINES = 20;

    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
    private volatile boolean killed;
    private volatile CompletableFuture<Void> gone;

    private Child(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("tether-child-" + process.pid() + "-stderr").start(this::drainStderr);
    }

    /** Starts a child and waits until it has loaded its graphs and said so. */
    static Child start(ChildLauncher launcher, Duration timeout) throws IOException {
        var process = new ProcessBuilder(launcher.command()).start();
        var child = new Child(process);
        var ready = CompletableFuture.supplyAsync(() -> {
            try {
                return child.next();
            } catch (IOException e) {
                return null;
            }
        }, Thread::startVirtualThread);
        ChildMessage first;
        try {
            first = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            first = null;
        }
        if (first == null || !ChildMessage.READY.equals(first.op())) {
            child.kill();
            throw new IOException("child JVM did not start: " + child.deathReason());
        }
        return child;
    }

    public long pid() {
        return process.pid();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public boolean isAlive() {
        return process.isAlive() && !killed;
    }

    /** The next message, or null once the child's stdout is closed (it died or was killed). */
    public ChildMessage next() throws IOException {
        while (true) {
            var line = out.readLine();
            if (line == null) return null;
            if (line.isBlank()) continue;
            try {
                return ChildMessage.parse(line);
            } catch (IllegalArgumentException e) {
                LOG.warn("child {}: unreadable line skipped: {}", pid(), line.length() > 200 ? line.substring(0, 200) : line);
            }
        }
    }

    /** Sends a message; a child that cannot take it is dead, which its reader learns from the end of its output. */
    public void send(ChildMessage message) {
        synchronized (in) {
            try {
                in.write(message.toLine());
                in.write('\n');
                in.flush();
            } catch (IOException e) {
                LOG.debug("child {} did not take {}: {}", pid(), message.op(), e.toString());
            }
        }
    }

    /**
     * Destroys the child and every process it started (level 3). Idempotent.
     *
     * @return completes once all of them are confirmed gone
     */
    public synchronized CompletableFuture<Void> kill() {
        killed = true;
        if (gone == null) gone = ProcessTree.kill(process.toHandle());
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

    /** Why the child ended: exit code and the last lines it wrote to stderr. */
    public String deathReason() {
        String code;
        try {
            code = process.waitFor(2, TimeUnit.SECONDS) ? "exit code " + process.exitValue() : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = "unknown exit";
        }
        // let the stderr drain catch up with the last lines the JVM wrote
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String tail;
        synchronized (stderrTail) {
            tail = String.join(" | ", stderrTail.stream().filter(l -> !l.isBlank()).toList());
        }
        return "child JVM " + pid() + " died (" + code + ")" + (tail.isEmpty() ? "" : ": " + tail);
    }

    private void drainStderr() {
        try (var err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                synchronized (stderrTail) {
                    if (stderrTail.size() == TAIL_LINES) stderrTail.removeFirst();
                    stderrTail.addLast(line.length() > 300 ? line.substring(0, 300) : line);
                }
                if (LOG.isDebugEnabled()) LOG.debug("child {}: {}", pid(), line);
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    @Override
    public String toString() {
        return "child " + pid();
    }
}
