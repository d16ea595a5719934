package dev.tether.store;

import dev.tether.registry.ChangeFeed;
import dev.tether.run.RunSnapshot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes a registry's changes to the history on a thread of its own. The registry only puts each
 * change in a coalescing {@link ChangeFeed} (a map put), so a run's node loop never waits for the
 * disk; the writer takes what piled up in one transaction. A terminal snapshot is the last change of
 * its run, so it is always among what is written. A failed write is kept and tried again with the
 * next batch (newer versions replace it), so a busy or briefly full disk loses nothing.
 */
final class HistoryWriter implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HistoryWriter.class);
    /** Lets a burst of changes gather into one transaction: at most ~50 transactions a second. */
    static final Duration GATHER = Duration.ofMillis(20);

    private final RunHistory history;
    private final ChangeFeed feed;
    private final ReentrantLock writing = new ReentrantLock();
    private final Map<String, RunSnapshot> unwritten = new LinkedHashMap<>(); // guarded by writing
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean retryOwed;
    private final dev.tether.logging.FailureSpell failing = new dev.tether.logging.FailureSpell();

    private HistoryWriter(RunHistory history, ChangeFeed feed) {
        this.history = history;
        this.feed = feed;
        this.thread = Thread.ofPlatform().daemon().name("tether-history-writer").unstarted(this::loop);
    }

    static HistoryWriter start(RunHistory history, ChangeFeed feed) {
        var w = new HistoryWriter(history, feed);
        w.thread.start();
        return w;
    }

    private void loop() {
        try {
            while (!stopping) {
                if (feed.await(Duration.ofSeconds(1)) || retryOwed) {
                    Thread.sleep(GATHER);
                    flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
        }
    }

    /** Writes every pending change now, on the calling thread. Never throws: a failure is logged and retried later. */
    void flush() {
        writing.lock();
        try {
            for (var s : feed.drain()) {
                var had = unwritten.get(s.runId());
                if (had == null || had.version() < s.version()) unwritten.put(s.runId(), s);
            }
            if (unwritten.isEmpty()) return;
            var batch = new ArrayList<>(unwritten.values());
            try {
                history.write(batch);
                unwritten.clear();
                retryOwed = false;
                if (failing.recovered() != null) {
                    LOG.warn("the history is written again ({} runs that had waited are written)", batch.size());
                }
            } catch (RuntimeException e) {
                retryOwed = true;
                if (failing.failed(null).any()) {
                    LOG.warn("could not write {} runs to the history (tried again with the next changes): {}", batch.size(), e.getMessage());
                }
            }
        } finally {
            writing.unlock();
        }
    }

    /** Writes what is pending (giving up after {@code timeout}), then stops. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    void close(Duration timeout) {
        stopping = true;
        thread.interrupt();
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        var last = Thread.ofPlatform().daemon().name("tether-history-flush").start(this::flush);
        try {
            if (!last.join(timeout)) LOG.warn("the history was not written within {} ms at exit; its last changes may be missing", timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        feed.close();
    }
}
