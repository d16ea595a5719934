package dev.tether.soak;

import java.util.Random;

/** SIGKILL of one of serve's child JVMs (process isolation): its run must end FAILED and the pool heal. */
final class KillChildJvmFault implements Fault {
    private final ServeHost host;

    KillChildJvmFault(ServeHost host) {
        this.host = host;
    }

    @Override
    public String kind() {
        return "kill-child-jvm";
    }

    @Override
    public String inject(Random random) throws Exception {
        var children = host.current().childJvms();
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (children.isEmpty()) { // all being replaced this moment: the pool must heal
            if (System.nanoTime() > deadline) throw new IllegalStateException("serve " + host.current().pid() + " has no child JVM for 60 s");
            Thread.sleep(100);
            children = host.current().childJvms();
        }
        var victim = children.get(random.nextInt(children.size()));
        ProcFs.signal(victim.pid(), "KILL");
        return "SIGKILL child JVM " + victim.pid() + " of serve " + host.current().pid() + " (" + children.size() + " children)";
    }
}
