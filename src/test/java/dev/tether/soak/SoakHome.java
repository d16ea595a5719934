package dev.tether.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * Where one mode's soak lives: a private Tether home (0700, never the user's), the launcher the
 * build made, the plugin folder with the witness graph, the node log, the disk under the store, and
 * the mark every process it starts carries (so leftovers can be counted, however they were orphaned).
 */
final class SoakHome implements AutoCloseable {
    private final Path dir;
    private final Path launcher;
    private final String mark = UUID.randomUUID().toString();
    private final NodeLog nodeLog;
    private StoreDisk disk;

    private SoakHome(Path dir, Path launcher, NodeLog nodeLog) {
        this.dir = dir;
        this.launcher = launcher;
        this.nodeLog = nodeLog;
    }

    static SoakHome create(String mode) throws IOException {
        var base = Path.of("target", "soak").toAbsolutePath();
        Files.createDirectories(base);
        var dir = Files.createTempDirectory(base, mode + "-");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        var launcher = Path.of(System.getProperty("tether.launcher", "target/tether/bin/tether")).toAbsolutePath();
        if (!Files.isRegularFile(launcher)) throw new IllegalStateException("no launcher at " + launcher + ": run `mvn package` first");
        return new SoakHome(dir, launcher, NodeLog.in(dir));
    }

    /** Puts the store on a disk that can be filled (embedded modes). */
    SoakHome withStoreDisk() throws IOException {
        disk = StoreDisk.under(dir);
        return this;
    }

    Path dir() {
        return dir;
    }

    Path launcher() {
        return launcher;
    }

    String mark() {
        return mark;
    }

    NodeLog nodeLog() {
        return nodeLog;
    }

    StoreDisk disk() {
        if (disk == null) throw new IllegalStateException("no store disk prepared");
        return disk;
    }

    boolean hasDisk() {
        return disk != null;
    }

    /** The environment of every process the soak starts through the launcher. */
    void environment(Map<String, String> env) {
        env.put("TETHER_HOME", dir.toString());
        env.put("TETHER_PLUGINS", SoakPlugin.folder().toString());
        env.put("TETHER_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        env.put("TETHER_LOG_LEVEL", "INFO");
        env.put(ProcFs.MARK, mark);
        env.remove("TETHER_REDIS_URL");
        // Soft references (reflection data, method-handle caches) survive a full GC while the heap has
        // room (SoftRefLRUPolicyMSPerMB: 1 s per free MiB, hours on a roomy heap), so the idle heap
        // readings would count whatever the JVM's caches happened to hold: the soak compares what is
        // strongly reachable, the product's own retention.
        env.put("TETHER_OPTS", "-XX:SoftRefLRUPolicyMSPerMB=0");
    }

    @Override
    public void close() {
        if (disk != null) disk.close();
    }
}
