package dev.tether.engine.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Whether a process still runs, the one judgement every liveness check of Tether makes (the owner of
 * a history row, the writer of a control file, a child's parent, a killed process tree).
 *
 * <p>{@link ProcessHandle#isAlive()} is not enough: a process that was killed but that its parent has
 * not reaped yet (a zombie: a slow supervisor, a container whose PID 1 never reaps) still has its
 * {@code /proc/PID/stat} and counts as alive there, for as long as nobody reaps it. It runs nothing
 * and holds nothing, so here it is dead. On Linux the state letter of {@code /proc/PID/stat} decides
 * ({@code Z} zombie, {@code X} dead); elsewhere {@link ProcessHandle#isAlive()} is all there is.
 */
public final class ProcessLiveness {
    private static final Path PROC = Path.of("/proc");
    private static final boolean HAS_PROC = Files.isReadable(PROC.resolve("self").resolve("stat"));
    /** How often {@link #whenGone} looks at a process that is not this JVM's child. */
    static final Duration POLL = Duration.ofMillis(20);
    /** One daemon thread for every watch, and only while there is one: it ends after a second with nothing to watch. */
    private static final ScheduledExecutorService WATCH = watcher();

    private ProcessLiveness() {}

    private static ScheduledExecutorService watcher() {
        var pool = new java.util.concurrent.ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("tether-process-watch").factory());
        pool.setKeepAliveTime(1, TimeUnit.SECONDS);
        pool.allowCoreThreadTimeOut(true);
        pool.setRemoveOnCancelPolicy(true);
        return pool;
    }

    /** Whether {@code pid} names a process that runs: it exists and has not ended (a zombie has). */
    public static boolean isRunning(long pid) {
        if (!HAS_PROC) return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        return ProcStat.running(pid);
    }

    /**
     * Whether the process {@code pid} that started at {@code startMillis} (epoch ms, as
     * {@link ProcessHandle.Info#startInstant()} says; null when not known) still runs: a pid alone is
     * not enough, pids are reused.
     */
    public static boolean isRunning(long pid, Long startMillis) {
        if (!isRunning(pid)) return false;
        if (startMillis == null) return true;
        return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant())
                .map(i -> Math.abs(i.toEpochMilli() - startMillis) <= START_TOLERANCE.toMillis()).orElse(true);
    }

    /**
     * How far two JVMs may disagree on one process's start: the JDK adds the process's ticks since
     * boot to the boot time, which it reads in whole seconds (and which moves when the clock is set).
     * Calling a live process dead for that would mark its runs LOST; a pid reused within the same
     * second is not a risk worth that.
     */
    static final Duration START_TOLERANCE = Duration.ofMillis(1_500);

    /** {@link #isRunning(long, Long)} with the start as an instant. */
    public static boolean isRunning(long pid, Instant start) {
        return isRunning(pid, start == null ? null : start.toEpochMilli());
    }

    /**
     * Completes once {@code process} no longer runs. For a child of this JVM that is its exit (the JDK
     * reaps its children); for any other process also the moment it becomes a zombie: where nothing
     * reaps it, {@link ProcessHandle#onExit()} would wait forever.
     */
    public static CompletableFuture<Void> whenGone(ProcessHandle process) {
        var gone = new CompletableFuture<Void>();
        process.onExit().whenComplete((p, e) -> gone.complete(null));
        if (gone.isDone() || !HAS_PROC) return gone;
        var poll = WATCH.scheduleWithFixedDelay(() -> {
            if (!isRunning(process.pid())) gone.complete(null);
        }, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
        gone.whenComplete((v, e) -> poll.cancel(false));
        return gone;
    }
}
