package dev.tether.engine.process;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Counting processes: this JVM's descendants against what the pool says it has. */
final class ProcessTreeCount {
    private ProcessTreeCount() {}

    /** Whether it still runs; a killed process nobody reaped (a zombie) does not. */
    static boolean alive(long pid) {
        return ProcessLiveness.isRunning(pid);
    }

    /** The pool's children and everything they started, now. */
    static List<Long> treeOfPool(ChildPool pool) {
        return pool.processes().stream().map(ProcessHandle::pid).toList();
    }

    /**
     * Descendants of this JVM that are neither a pool child nor a JVM's own helper: a grandchild
     * (something a node started) counts as stray once its run has ended.
     */
    static List<ProcessHandle> strays(ChildPool pool) {
        Set<Long> children = pool.processes().stream().filter(p -> p.parent().map(pp -> pp.pid() == ProcessHandle.current().pid()).orElse(false))
                .map(ProcessHandle::pid).collect(Collectors.toSet());
        return ProcessHandle.current().descendants()
                .filter(p -> ProcessLiveness.isRunning(p.pid()))
                .filter(p -> !children.contains(p.pid()))
                .toList();
    }
}
