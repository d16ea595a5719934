package dev.tether.engine.process;

import dev.tether.logging.SafeText;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.List;

/**
 * What a child JVM and the tools its nodes start write to stdout and stderr (one stream): drained
 * as it comes, so that a chatty node never blocks on a full pipe; logged at debug and kept as a short
 * tail (the reason given when the child dies). Nothing of it is ever read as a message. Every line is
 * bounded (a line without an end is cut, its rest skipped) and sanitised before it is logged or kept:
 * escape sequences and bidirectional controls in a child's output reach no log and no error message.
 */
final class ChildOutput {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Child.class);
    static final int TAIL_LINES = 20;
    static final int LINE_CHARS = 300;
    /** Read per line before the rest is skipped: well above any line kept. */
    private static final int LINE_BYTES = 4 * 1024;

    private final long pid;
    private final ArrayDeque<String> tail = new ArrayDeque<>();
    private final Thread drain;

    private ChildOutput(long pid, InputStream out) {
        this.pid = pid;
        this.drain = Thread.ofPlatform().daemon().name("tether-child-" + pid + "-output").start(() -> drain(out));
    }

    static ChildOutput drain(Process process) {
        return new ChildOutput(process.pid(), process.getInputStream());
    }

    private void drain(InputStream out) {
        var lines = new BoundedLineReader(out, LINE_BYTES, true);
        try (out) {
            BoundedLineReader.Line line;
            while ((line = lines.next()) != null) {
                var safe = SafeText.line(line.text(), LINE_CHARS) + (line.cut() && line.text().length() <= LINE_CHARS ? "...(cut)" : "");
                synchronized (tail) {
                    if (tail.size() == TAIL_LINES) tail.removeFirst();
                    tail.addLast(safe);
                }
                if (LOG.isDebugEnabled()) LOG.debug("child {}: {}", pid, safe);
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    /** Waits a moment for the drain to reach the end of what a dead child wrote. */
    void awaitEnd(long millis) {
        try {
            drain.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<String> tail() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }
}
