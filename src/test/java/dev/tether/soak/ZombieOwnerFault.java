package dev.tether.soak;

import java.time.Duration;
import java.util.Random;

/**
 * SIGKILL of {@code serve}, left unreaped (a zombie: dead, though its pid still answers "alive" to a
 * naive check) while a new serve starts on the same home and serves load; reaped after a while. The
 * runs the dead one owned must still end (LOST), and status and history must agree on them.
 */
final class ZombieOwnerFault implements Fault {
    private final ServeHost host;
    private final Duration hold;

    ZombieOwnerFault(ServeHost host, Duration hold) {
        this.host = host;
        this.hold = hold;
    }

    @Override
    public String kind() {
        return "zombie-owner";
    }

    @Override
    public String inject(Random random) throws Exception {
        var killed = host.killAndRestart(false);
        boolean zombie = killed.isZombie();
        Thread.sleep(hold.toMillis());
        killed.reap();
        return "SIGKILL serve " + killed.pid() + (zombie ? " left a zombie" : " (not a zombie?)") + " for " + hold.toSeconds()
                + " s beside the new serve " + host.current().pid() + ", then reaped";
    }
}
