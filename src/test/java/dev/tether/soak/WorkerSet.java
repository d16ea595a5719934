package dev.tether.soak;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The Redis mode's workers: a fixed number of slots, each holding one live worker process at a time. */
final class WorkerSet implements AutoCloseable {
    private final SoakHome home;
    private final String redisUri;
    private final int concurrency;
    private final SoakWorker[] slots;
    private final List<SoakWorker> all = new ArrayList<>();
    private int renamed;

    WorkerSet(SoakHome home, String redisUri, int workers, int concurrency) {
        this.home = home;
        this.redisUri = redisUri;
        this.concurrency = concurrency;
        this.slots = new SoakWorker[workers];
    }

    synchronized WorkerSet start() throws IOException, InterruptedException {
        for (int i = 0; i < slots.length; i++) slots[i] = launch("soak-w" + (i + 1));
        return this;
    }

    private SoakWorker launch(String name) throws IOException, InterruptedException {
        var w = SoakWorker.start(home, redisUri, name, concurrency);
        all.add(w);
        return w;
    }

    synchronized int size() {
        return slots.length;
    }

    synchronized SoakWorker get(int slot) {
        return slots[slot];
    }

    /** Live worker pids, for sampling. */
    synchronized List<SoakWorker> live() {
        var out = new ArrayList<SoakWorker>();
        for (var w : slots) if (w.process.isAlive()) out.add(w);
        return out;
    }

    synchronized List<String> liveNames() {
        return live().stream().map(w -> w.name).toList();
    }

    /**
     * SIGKILL of the worker in {@code slot}, and its replacement: under the same name (it settles
     * what its predecessor left) or a new one (the others' sweep settles the dead one).
     */
    synchronized String killAndReplace(int slot, boolean sameName) throws IOException, InterruptedException {
        var dead = slots[slot];
        dead.kill9();
        var name = sameName ? dead.name : dead.name + "-r" + (++renamed);
        slots[slot] = launch(name);
        return "SIGKILL worker " + dead.name + " (pid " + dead.pid() + "), replaced by " + name + " (pid " + slots[slot].pid() + ")";
    }

    /** Graceful stop of every live worker. */
    synchronized void stop() throws InterruptedException {
        for (var w : slots) w.stop();
    }

    synchronized int started() {
        return all.size();
    }

    @Override
    public synchronized void close() throws InterruptedException {
        for (var w : all) if (w.process.isAlive()) w.kill9();
    }
}
