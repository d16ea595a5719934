package dev.tether.engine.process;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Destroying a process with everything it started, and knowing when all of it is gone. */
public final class ProcessTree {
    private ProcessTree() {}

    /**
     * Kills {@code root} and every descendant now (SIGKILL). Descendants go first, while the root still
     * lives: a JVM reaps the processes it started, and once the root is gone its orphans would be
     * re-parented out of sight (and, where nothing reaps them, linger as zombies).
     *
     * @return completes once the root and every descendant found have exited
     */
    public static CompletableFuture<Void> kill(ProcessHandle root) {
        var tree = new ArrayList<ProcessHandle>();
        root.descendants().forEach(tree::add);
        for (var p : tree) p.destroyForcibly();
        root.destroyForcibly();
        // Anything the root started between the first look and the signal: one more look while it is
        // being torn down. A process started in that same instant and re-parented before this look
        // would escape it; the window is the microseconds between the two kills.
        root.descendants().forEach(p -> {
            tree.add(p);
            p.destroyForcibly();
        });
        var exits = new ArrayList<CompletableFuture<?>>();
        exits.add(root.onExit());
        // A descendant whose parent died before reaping it is re-parented, and where nothing reaps it
        // (a container whose PID 1 does not) it stays a zombie for good: gone, though onExit never says so.
        for (var p : tree) exits.add(ProcessLiveness.whenGone(p));
        return CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new));
    }

    /** Kills every descendant of this process (not the process itself) and waits up to {@code millis} for them. */
    public static List<ProcessHandle> killDescendantsOfSelf(long millis) {
        var tree = ProcessHandle.current().descendants().toList();
        if (tree.isEmpty()) return tree;
        tree.forEach(ProcessHandle::destroyForcibly);
        try {
            CompletableFuture.allOf(tree.stream().map(ProcessLiveness::whenGone).toArray(CompletableFuture[]::new))
                    .get(millis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // best effort: the caller is ending a run or the process
        }
        return tree;
    }
}
