package dev.tether.engine.process;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Counting processes: this JVM's descendants against what the pool says it has. */
final class ProcessTreeCount {
    private ProcessTreeCount() {}

    /**
     * Whether a process with this pid still runs. A zombie (an exited process its new parent has not
     * collected yet; on a machine whose init never collects, it stays) has ended: it does not count.
     */
    static boolean alive(long pid) {
        return ProcStat.running(pid);
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
                .filter(p -> alive(p.pid()))
                .filter(p -> !children.contains(p.pid()))
                .toList();
    }
}
