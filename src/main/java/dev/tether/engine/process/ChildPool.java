package dev.tether.engine.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Warm child JVMs, each ready to execute one run at a time and reused after a run that ended
 * normally and left nothing behind. A child that was killed, died, broke the protocol or could not
 * clear what its run started is replaced by a fresh one, so the pool keeps its size. The children's
 * channel sockets live in a folder of the pool's own that only this user can enter.
 */
public final class ChildPool implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ChildPool.class);
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final String FOLDER_PREFIX = "tether-children-";

    private final ChildLauncher launcher;
    private final int size;
    private final LinkedBlockingQueue<Child> idle = new LinkedBlockingQueue<>();
    private final Set<Child> all = ConcurrentHashMap.newKeySet();
    private final ExecutorService starter;
    private final Path socketDir;
    private volatile boolean closed;

    public ChildPool(ChildLauncher launcher, int size) {
        this.launcher = launcher;
        this.size = size;
        try {
            removeLeftFolders();
            // created 0700: no other user can reach a child's socket before it connects
            this.socketDir = Files.createTempDirectory(FOLDER_PREFIX + ProcessHandle.current().pid() + "-");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create a private folder for the child JVMs' channels", e);
        }
        // Two at a time: children start in parallel on a multi-core machine without starving a small one.
        this.starter = Executors.newFixedThreadPool(Math.min(2, size), r -> {
            var t = new Thread(r, "tether-child-starter");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < size; i++) spawn();
    }

    /**
     * Socket folders of pools whose process was killed (nothing closed them): named after their
     * process, removed once it is gone; a live process's folder is left alone, and another user's
     * cannot be touched (it is 0700, in a sticky folder).
     */
    static void removeLeftFolders() {
        var tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (var folders = Files.newDirectoryStream(tmp, FOLDER_PREFIX + "*")) {
            for (var folder : folders) {
                var rest = folder.getFileName().toString().substring(FOLDER_PREFIX.length());
                int dash = rest.indexOf('-');
                if (dash <= 0 || !rest.substring(0, dash).chars().allMatch(Character::isDigit)) continue;
                if (ProcessHandle.of(Long.parseLong(rest.substring(0, dash))).isPresent()) continue;
                if (!Files.isDirectory(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
                try (var left = Files.list(folder)) {
                    for (var f : left.toList()) Files.deleteIfExists(f);
                    Files.deleteIfExists(folder);
                } catch (IOException e) {
                    // another user's, or in use after all: not ours to remove
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not remove old child socket folders: {}", e.toString());
        }
    }

    private void spawn() {
        if (closed) return;
        try {
            starter.execute(this::startOne);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private void startOne() {
        while (!closed) {
            try {
                var child = Child.start(launcher, socketDir, START_TIMEOUT);
                all.add(child);
                if (closed) {
                    child.kill();
                    all.remove(child);
                } else {
                    idle.offer(child);
                }
                return;
            } catch (Exception e) {
                if (closed) return; // killed by close() while starting
                LOG.error("could not start a child JVM; retrying in {} s", RETRY.toSeconds(), e);
                try {
                    Thread.sleep(RETRY);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** A ready child, waiting for one up to {@code timeout}; null on timeout or when closed. */
    public Child take(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed) {
            var child = idle.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (child == null) return null;
            if (child.isQuietAndAlive()) return child;
            if (child.isAlive()) LOG.warn("child {} sent something while it was idle: replaced", child.pid());
            discard(child); // died, or spoke out of turn, while idle
        }
        return null;
    }

    /** Back into the pool after a run that ended normally. */
    public void giveBack(Child child) {
        if (!closed && child.isAlive()) idle.offer(child);
        else discard(child);
    }

    /** A child that was killed or died: forgotten (killed, if it is not yet gone) and replaced. */
    public void discard(Child child) {
        if (all.remove(child)) {
            child.kill();
            spawn();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Children the pool keeps. */
    public int size() {
        return size;
    }

    /** Children started and not discarded (alive, idle or busy). */
    public int live() {
        return (int) all.stream().filter(Child::isAlive).count();
    }

    public int idle() {
        return idle.size();
    }

    /** Every process of the pool: its children and whatever they started. */
    public List<ProcessHandle> processes() {
        var list = new ArrayList<ProcessHandle>();
        for (var c : all) {
            list.add(c.handle());
            c.handle().descendants().forEach(list::add);
        }
        return list;
    }

    /** Kills every child (and what it started) and waits until they are gone, up to 5 s. */
    @Override
    public void close() {
        closed = true;
        starter.shutdownNow();
        var exits = new ArrayList<CompletableFuture<?>>();
        for (var c : List.copyOf(all)) exits.add(c.kill());
        idle.clear();
        try {
            CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("child JVMs not all confirmed gone after 5 s: {}", e.toString());
        }
        all.clear();
        try (var left = Files.list(socketDir)) {
            for (var f : left.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(socketDir);
        } catch (IOException e) {
            LOG.debug("could not remove {}: {}", socketDir, e.toString());
        }
    }
}
