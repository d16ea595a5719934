package dev.tether.engine.process;

import java.time.Duration;

/**
 * Inside a child JVM: ends it when its parent is gone, however the parent died (SIGKILL included,
 * when no shutdown hook runs). The parent's end closes the child's channel, which the command loop
 * sees at once; this watch is the second line, for a parent whose socket somehow stays open.
 */
final class OrphanGuard {
    static final Duration EVERY = Duration.ofMillis(200);

    private OrphanGuard() {}

    static void start(long parentPid) {
        Thread.ofPlatform().daemon().name("tether-child-orphan-guard").start(() -> {
            while (true) {
                boolean alive = ProcessLiveness.isRunning(parentPid) // a killed parent nobody reaped is gone too
                        && ProcessHandle.current().parent().map(p -> p.pid() == parentPid).orElse(false);
                if (!alive) exitNow("parent " + parentPid + " is gone");
                try {
                    Thread.sleep(EVERY);
                } catch (InterruptedException e) {
                    // keep watching: nothing else ends this thread
                }
            }
        });
    }

    /** Ends the child with everything it started: no run may outlive the process that owned it. */
    static void exitNow(String why) {
        System.err.println("tether child " + ProcessHandle.current().pid() + ": " + why + "; exiting");
        ProcessTree.clearDescendantsOfSelf(Duration.ofMillis(500));
        Runtime.getRuntime().halt(0);
    }
}
