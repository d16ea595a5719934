package dev.tether.soak;

import java.time.Duration;
import java.util.Random;

/** The disk under {@code tether.db} full for a while, then freed: checkpoints and history writes fail meanwhile. */
final class DiskFullFault implements Fault {
    private final StoreDisk disk;
    private final ServeHost host;
    private final Duration hold;

    DiskFullFault(StoreDisk disk, ServeHost host, Duration hold) {
        this.disk = disk;
        this.host = host;
        this.hold = hold;
    }

    @Override
    public String kind() {
        return "disk-full";
    }

    @Override
    public String inject(Random random) throws Exception {
        disk.fill(host::ownerPids);
        try {
            Thread.sleep(hold.toMillis());
        } finally {
            disk.free(host::ownerPids);
        }
        return disk.how() + " for " + hold.toSeconds() + " s";
    }
}
