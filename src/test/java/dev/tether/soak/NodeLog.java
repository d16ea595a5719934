package dev.tether.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The file {@link SoakGraph} runs append to: every node start, with its run, time and process. */
final class NodeLog {
    record NodeStart(String runId, String node, long atMillis, long pid) {}

    final Path file;

    NodeLog(Path file) {
        this.file = file;
    }

    static NodeLog in(Path dir) throws IOException {
        Files.createDirectories(dir);
        var f = dir.resolve("nodes.log").toAbsolutePath();
        Files.deleteIfExists(f);
        return new NodeLog(f);
    }

    /** Bytes written so far: a progress figure that moves whenever any node starts anywhere. */
    long size() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Every node start, per run id, in the order logged. */
    Map<String, List<NodeStart>> byRun() {
        var out = new HashMap<String, List<NodeStart>>();
        if (!Files.exists(file)) return out;
        try {
            for (var line : Files.readAllLines(file)) {
                var f = line.split(" ");
                if (f.length != 4) continue; // a line cut by a SIGKILL mid-write is no node start
                out.computeIfAbsent(f[0], k -> new ArrayList<>())
                        .add(new NodeStart(f[0], f[1], Long.parseLong(f[2]), Long.parseLong(f[3])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
