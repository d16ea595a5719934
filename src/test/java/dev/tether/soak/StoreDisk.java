package dev.tether.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The disk under {@code tether.db}, which the full-disk fault fills. Where the machine allows it,
 * a real small tmpfs: mounted in a private mount namespace held by a helper process (root, or an
 * unprivileged user namespace), with {@code tether.db} a link into it (SQLite follows it and keeps
 * its WAL beside the real file), so writes fail with ENOSPC while the rest of the home is untouched.
 * Every owner process is started inside that namespace. Elsewhere, a store that refuses writes:
 * the owner's file-size limit is dropped to 0 (writes fail with EFBIG) and raised again.
 */
abstract sealed class StoreDisk implements AutoCloseable {
    static final long TMPFS_BYTES = 96L << 20;

    /** A command as it must be started to see this disk. */
    abstract List<String> wrap(List<String> command);

    /** Makes every write to the store fail until {@link #free()}. */
    abstract void fill(Supplier<List<Long>> owners) throws IOException;

    abstract void free(Supplier<List<Long>> owners) throws IOException;

    /** What kind of full disk this is, for the report. */
    abstract String how();

    @Override
    public abstract void close();

    /** Prepares the home's disk: a tmpfs if one can be mounted here, else a file-size limit ({@code -Dsoak.disk=limit}: always). */
    static StoreDisk under(Path home) throws IOException {
        var dir = home.resolve("disk");
        Files.createDirectories(dir);
        var db = home.resolve("tether.db");
        Files.deleteIfExists(db);
        Files.createSymbolicLink(db, Path.of("disk", "tether.db"));
        if ("limit".equals(System.getProperty("soak.disk"))) return new FileSizeLimit(); // to check the fallback where a tmpfs would do
        for (var variant : List.of(List.of("unshare", "--mount", "--propagation", "private"),
                List.of("unshare", "--user", "--map-root-user", "--mount", "--propagation", "private"))) {
            var tmpfs = Tmpfs.mount(variant, dir);
            if (tmpfs != null) return tmpfs;
        }
        return new FileSizeLimit();
    }

    /** A tmpfs in a mount namespace that a helper process keeps alive (it exits when this JVM does). */
    static final class Tmpfs extends StoreDisk {
        private final Process holder;
        private final Path dir;
        private final boolean userNamespace;
        private final Path filler;

        private Tmpfs(Process holder, Path dir, boolean userNamespace) {
            this.holder = holder;
            this.dir = dir;
            this.userNamespace = userNamespace;
            this.filler = Path.of("/proc", Long.toString(holder.pid()), "root").resolve(dir.toAbsolutePath().toString().substring(1)).resolve("filler");
        }

        static Tmpfs mount(List<String> unshare, Path dir) {
            var cmd = new ArrayList<>(unshare);
            cmd.addAll(List.of("sh", "-c", "mount -t tmpfs -o size=" + TMPFS_BYTES + ",mode=0700 tether-soak \"$0\" && echo mounted && read x",
                    dir.toAbsolutePath().toString()));
            try {
                var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                var line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
                if ("mounted".equals(line)) return new Tmpfs(p, dir, unshare.contains("--user"));
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }

        @Override
        List<String> wrap(List<String> command) {
            var out = new ArrayList<>(List.of("nsenter", "--target", Long.toString(holder.pid())));
            if (userNamespace) out.add("--user");
            out.addAll(List.of("--mount", "--"));
            out.addAll(command);
            return out;
        }

        @Override
        void fill(Supplier<List<Long>> owners) throws IOException {
            var chunk = new byte[1 << 20];
            try (var out = Files.newOutputStream(filler)) {
                while (true) out.write(chunk); // until the tmpfs is full
            } catch (IOException full) {
                // ENOSPC: what the store meets now
            }
            try (var out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
                while (true) out.write(chunk, 0, 4096); // the last pages
            } catch (IOException full) {
                // full to the page
            }
        }

        @Override
        void free(Supplier<List<Long>> owners) throws IOException {
            Files.deleteIfExists(filler);
        }

        @Override
        String how() {
            return "tmpfs of " + (TMPFS_BYTES >> 20) + " MiB" + (userNamespace ? " (user namespace)" : "") + ", filled (ENOSPC)";
        }

        @Override
        public void close() {
            try {
                holder.getOutputStream().close(); // its `read` ends: it exits, and the tmpfs goes with the last process inside
                if (!holder.waitFor(10, TimeUnit.SECONDS)) holder.destroyForcibly();
            } catch (IOException e) {
                holder.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Where no tmpfs can be mounted: the owner's file-size limit, 0 while "full" (writes fail with EFBIG). */
    static final class FileSizeLimit extends StoreDisk {
        @Override
        List<String> wrap(List<String> command) {
            return command;
        }

        @Override
        void fill(Supplier<List<Long>> owners) {
            for (long pid : owners.get()) ProcFs.run(List.of("prlimit", "--pid", Long.toString(pid), "--fsize=0:"));
        }

        @Override
        void free(Supplier<List<Long>> owners) {
            for (long pid : owners.get()) ProcFs.run(List.of("prlimit", "--pid", Long.toString(pid), "--fsize=unlimited:"));
        }

        @Override
        String how() {
            return "file-size limit 0 on the owner (growing a file fails with EFBIG)";
        }

        @Override
        public void close() {}
    }
}
