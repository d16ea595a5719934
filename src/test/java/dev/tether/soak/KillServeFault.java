package dev.tether.soak;

import java.util.Random;

/** SIGKILL of {@code serve} mid-load, reaped at once, and a new serve on the same home: its runs must come back LOST. */
final class KillServeFault implements Fault {
    private final ServeHost host;

    KillServeFault(ServeHost host) {
        this.host = host;
    }

    @Override
    public String kind() {
        return "kill-serve";
    }

    @Override
    public String inject(Random random) throws Exception {
        var killed = host.killAndRestart(true);
        return "SIGKILL serve " + killed.pid() + ", restarted as " + host.current().pid();
    }
}
