package dev.tether.engine.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Destroying a process with everything it started, and knowing when all of it is gone.
 *
 * <p>A tree walk alone misses what was re-parented away: a node that runs {@code setsid sleep 100 &}
 * or a double fork leaves an orphan whose parent is no longer in the tree. A child JVM therefore makes
 * itself a subreaper ({@link Posix#becomeSubreaper()}): every orphan of its descendants re-parents to
 * it and stays in its tree. It also leads a session and process group of its own, so that what a
 * killed descendant started in the last instant is still found by its group.
 */
public final class ProcessTree {
    /** How long a kill goes on sweeping a tree whose processes keep starting others. */
    static final Duration SWEEP = Duration.ofSeconds(5);
    /** How long a kill waits for what it killed to be gone before it says they are not. */
    static final Duration CONFIRM = Duration.ofSeconds(60);
    private static final long LOOK_EVERY_MS = 5;

    private ProcessTree() {}

    /**
     * Kills {@code root} and every process it started (SIGKILL):
     * <ol>
     *   <li>the root is frozen (SIGSTOP): a stopped JVM starts nothing more;</li>
     *   <li>every running descendant is killed, and the tree looked at again until it holds nothing
     *       running that was not killed yet: a killed process cannot fork any more, and the orphans
     *       of those that died re-parent to the root (a subreaper) where the next look finds them;</li>
     *   <li>the root's process group (when it leads one) and the root itself are killed.</li>
     * </ol>
     * While the root is frozen it cannot collect its children, so they may remain as zombies (exited
     * processes waiting for a parent to collect them) until init or a subreaper above does: they
     * count as gone.
     *
     * @param ownGroup whether the root leads a process group of its own (a child JVM that called setsid)
     * @return completes once the root has exited and nothing found in its tree runs; fails when that
     *         could not be confirmed within {@link #CONFIRM}
     */
    public static CompletableFuture<Void> kill(ProcessHandle root, boolean ownGroup) {
        var done = new CompletableFuture<Void>();
        // Off the caller's thread: a kill may be asked from a UI or request thread, and a tree in
        // trouble (a process in uninterruptible sleep) can take a while to sweep.
        Thread.ofPlatform().daemon().name("tether-kill-" + root.pid()).start(() -> {
            try {
                var tree = sweep(root, ownGroup);
                confirmGone(root, tree, done);
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** Freezes the root, kills its tree until nothing in it runs, then its group and itself; returns what it found. */
    private static List<ProcStat> sweep(ProcessHandle root, boolean ownGroup) {
        var seen = new LinkedHashMap<Long, ProcStat>();
        var rootStat = ProcStat.of(root.pid()).orElse(null);
        boolean rootRuns = rootStat != null && !rootStat.exited() && root.isAlive();
        if (rootRuns) Posix.signal(root.pid(), Posix.SIGSTOP);
        long sweepEnd = System.nanoTime() + SWEEP.toNanos();
        // A process that got SIGKILL can start nothing more (the kernel fails a fork with a fatal
        // signal pending): the sweep ends once two looks in a row find nothing running that was not
        // signalled yet (one look can miss a child being moved to the root as its parent dies).
        // Whatever is still being torn down is waited for below, all at once.
        int quiet = 0;
        for (int round = 0; rootRuns && quiet < 2; round++) {
            var tree = ProcStat.descendants(root.pid());
            // Nothing below a frozen root at all: nothing can appear (a fork it was in the middle of
            // is restarted only once it runs again, which it never does).
            if (round == 0 && tree.isEmpty()) break;
            var fresh = tree.stream().filter(p -> !p.exited())
                    .filter(p -> { var known = seen.get(p.pid()); return known == null || known.startTicks() != p.startTicks(); })
                    .toList();
            if (System.nanoTime() - sweepEnd > 0) break;
            quiet = fresh.isEmpty() ? quiet + 1 : 0;
            for (var p : fresh) {
                seen.put(p.pid(), p);
                if (!Posix.signal(p.pid(), Posix.SIGKILL)) ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (round > 2) pause(); // a tree that keeps growing: look again in a moment
        }
        // A frozen root started nothing the sweep did not find. One that died by itself left its
        // tree to be re-parented away: what stayed in its process group is found by the group.
        if (ownGroup) {
            if (!rootRuns) {
                for (var p : ProcStat.all()) if (p.pgrp() == root.pid() && p.pid() != root.pid() && !p.exited()) seen.putIfAbsent(p.pid(), p);
            }
            Posix.signalGroup(root.pid(), Posix.SIGKILL);
        }
        root.destroyForcibly();
        return List.copyOf(seen.values());
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void confirmGone(ProcessHandle root, List<ProcStat> tree, CompletableFuture<Void> done) {
        long end = System.nanoTime() + CONFIRM.toNanos();
        try {
            root.onExit().get(CONFIRM.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            var left = new ArrayList<>(tree);
            while (true) {
                left.removeIf(p -> !ProcStat.running(p));
                if (left.isEmpty()) {
                    done.complete(null);
                    return;
                }
                if (System.nanoTime() - end > 0) throw new TimeoutException("still running: " + left.stream().map(ProcStat::pid).toList());
                for (var p : left) Posix.signal(p.pid(), Posix.SIGKILL);
                Thread.sleep(LOOK_EVERY_MS);
            }
        } catch (Exception e) {
            done.completeExceptionally(e);
        }
    }

    /**
     * Inside a child JVM, at the end of a run and before it exits: kills every descendant of this
     * process (those it adopted as a subreaper included) until none is left, and collects their exits
     * so that nothing lingers as a zombie. Collecting also takes exits the JVM's own process reaper
     * was waiting for: harmless here, since what the run's nodes started is of no use once it ended.
     *
     * @return true when nothing is left of the tree within {@code within}
     */
    public static boolean clearDescendantsOfSelf(Duration within) {
        long self = ProcessHandle.current().pid();
        long end = System.nanoTime() + within.toNanos();
        while (true) {
            var tree = ProcStat.descendantsByChildLists(self);
            if (tree.isEmpty()) return true;
            boolean anyRunning = false;
            for (var p : tree) {
                if (!p.exited()) {
                    anyRunning = true;
                    if (!Posix.signal(p.pid(), Posix.SIGKILL)) ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
                } else if (p.ppid() == self) {
                    Posix.reap(p.pid());
                }
            }
            // Without native calls an adopted zombie cannot be collected here: what no longer runs is enough.
            if (!anyRunning && !Posix.available()) return true;
            if (System.nanoTime() - end > 0) return false;
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
