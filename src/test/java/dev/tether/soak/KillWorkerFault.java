package dev.tether.soak;

import java.util.Random;

/** SIGKILL of a worker mid-run, replaced under its own name or a new one: its runs become LOST, its unstarted jobs go to another. */
final class KillWorkerFault implements Fault {
    private final WorkerSet workers;
    private int injected;

    KillWorkerFault(WorkerSet workers) {
        this.workers = workers;
    }

    @Override
    public String kind() {
        return "kill-worker";
    }

    @Override
    public String inject(Random random) throws Exception {
        return workers.killAndReplace(random.nextInt(workers.size()), injected++ % 2 == 0);
    }
}
