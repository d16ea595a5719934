package dev.tether.engine.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One process as {@code /proc/PID/stat} describes it: its state, parent, group, session and start
 * (in clock ticks since boot: exact, unlike {@link ProcessHandle.Info#startInstant()}, so a pid
 * reused by a later process is never taken for the one seen before). A zombie ({@code Z}) has
 * exited: it runs no code and only waits for its parent to collect it, which is why
 * {@link #exited()} counts it as gone where {@link ProcessHandle#isAlive()} does not.
 */
public record ProcStat(long pid, char state, long ppid, long pgrp, long session, long startTicks) {
    private static final Path PROC = Path.of("/proc");

    public boolean exited() {
        return state == 'Z' || state == 'X' || state == 'x';
    }

    /** The process now, or empty when there is no such pid (or no {@code /proc}). */
    public static Optional<ProcStat> of(long pid) {
        try {
            return Optional.ofNullable(parse(pid, Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether the process seen as {@code seen} still runs (not exited, and its pid not taken by another). */
    public static boolean running(ProcStat seen) {
        return of(seen.pid()).filter(now -> now.startTicks() == seen.startTicks() && !now.exited()).isPresent();
    }

    /** Whether some process with this pid runs now (tests and the pid a child reported). */
    public static boolean running(long pid) {
        return of(pid).filter(p -> !p.exited()).isPresent();
    }

    /** Every process, read in one pass over {@code /proc}. */
    public static List<ProcStat> all() {
        var out = new ArrayList<ProcStat>();
        try (var dirs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (var dir : dirs) {
                try {
                    var s = parse(Long.parseLong(dir.getFileName().toString()), Files.readString(dir.resolve("stat"), StandardCharsets.ISO_8859_1));
                    if (s != null) out.add(s);
                } catch (IOException | RuntimeException gone) {
                    // it ended while we looked
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }

    /**
     * Every descendant of {@code root} (zombies included), as the JDK's own process listing finds
     * them (native, and quick even before any of this code is compiled). It may miss a process
     * created while it looks: callers look again until nothing new runs.
     */
    public static List<ProcStat> descendants(long root) {
        var handle = ProcessHandle.of(root);
        if (handle.isEmpty()) return List.of();
        var out = new ArrayList<ProcStat>();
        handle.get().descendants().forEach(p -> of(p.pid()).ifPresent(out::add));
        return out;
    }

    /**
     * Like {@link #descendants}, read from each process's {@code task/TID/children} lists: it costs
     * what the tree holds rather than every process of the machine, which pays once the code is warm
     * (a child JVM looks after every run). The JDK's listing where the kernel keeps no such lists.
     */
    public static List<ProcStat> descendantsByChildLists(long root) {
        if (!Files.isReadable(PROC.resolve(Long.toString(root)).resolve("task").resolve(Long.toString(root)).resolve("children"))) {
            return descendants(root);
        }
        var out = new ArrayList<ProcStat>();
        var seen = new java.util.HashSet<Long>();
        var todo = new java.util.ArrayDeque<Long>();
        todo.add(root);
        while (!todo.isEmpty()) {
            long parent = todo.poll();
            for (long child : children(parent)) {
                if (child == root || !seen.add(child)) continue;
                var stat = of(child);
                if (stat.isEmpty() || stat.get().ppid() != parent) continue; // gone, or re-parented meanwhile
                out.add(stat.get());
                todo.add(child);
            }
        }
        return out;
    }

    /** The children of every thread of {@code pid}. */
    private static List<Long> children(long pid) {
        var out = new ArrayList<Long>();
        try (var tasks = Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("task"))) {
            for (var task : tasks) {
                try {
                    for (var p : Files.readString(task.resolve("children"), StandardCharsets.ISO_8859_1).trim().split(" ")) {
                        if (!p.isEmpty()) out.add(Long.parseLong(p));
                    }
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException e) {
            // the process ended while we looked
        }
        return out;
    }

    /** Fields after the command name, which may itself hold spaces and parentheses: split after its last ')'. */
    private static ProcStat parse(long pid, String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) return null;
        var f = stat.substring(close + 2).trim().split(" ");
        // f[0] state (field 3), f[1] ppid, f[2] pgrp, f[3] session, ..., f[19] starttime (field 22)
        return new ProcStat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[19]));
    }
}
