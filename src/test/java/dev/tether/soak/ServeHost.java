package dev.tether.soak;

import dev.tether.control.ControlClient;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded modes' owner of runs: one {@code tether serve} at a time on the soak's home, killed
 * and restarted by the faults. Clients are made per request from the control file, so each finds
 * whichever serve is there now (or fails as a user's command would while none is).
 */
final class ServeHost implements AutoCloseable {
    private final SoakHome home;
    private final List<String> args;
    private final List<ServeProcess> all = new ArrayList<>();
    private volatile ServeProcess current;

    ServeHost(SoakHome home, List<String> args) {
        this.home = home;
        this.args = List.copyOf(args);
    }

    synchronized ServeHost start() throws IOException, InterruptedException {
        current = ServeProcess.start(home, args);
        all.add(current);
        return this;
    }

    ServeProcess current() {
        return current;
    }

    /** Serve pids to sample and to fill the disk for: the one running now. */
    List<Long> ownerPids() {
        var c = current;
        return c == null || ProcFs.isDead(c.pid()) ? List.of() : List.of(c.pid());
    }

    /** Every serve started so far, for the report's count. */
    synchronized int started() {
        return all.size();
    }

    ControlClient client() {
        return ServeProcess.connect(home);
    }

    /**
     * SIGKILL of the serve running now, then a new one on the same home. With {@code reapFirst}
     * false the killed one is left a zombie: the caller reaps it later.
     */
    synchronized ServeProcess killAndRestart(boolean reapFirst) throws IOException, InterruptedException {
        var killed = current;
        killed.kill9();
        if (reapFirst) killed.reap();
        start();
        return killed;
    }

    /** A graceful restart: SIGTERM (runs cancelled, history written), then a new serve on the same home. */
    synchronized void restart() throws IOException, InterruptedException {
        current.stop(Duration.ofSeconds(60));
        start();
    }

    /** SIGTERM and reap: the end of the soak. */
    synchronized void stop() throws InterruptedException {
        for (var s : all) s.stop(Duration.ofSeconds(60));
    }

    @Override
    public synchronized void close() throws InterruptedException {
        for (var s : all) {
            if (!ProcFs.isDead(s.pid())) ProcFs.signal(s.pid(), "KILL");
            s.reap();
        }
    }
}
