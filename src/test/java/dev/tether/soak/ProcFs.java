package dev.tether.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What Linux says about a process, read from /proc: its state (a zombie is dead, whatever
 * {@link ProcessHandle#isAlive()} says), threads, open files, the soak's mark in its environment;
 * and signals for processes the test did not start itself.
 */
final class ProcFs {
    /** Environment variable every process the soak starts carries (and passes on to its children). */
    static final String MARK = "TETHER_SOAK_MARK";

    private ProcFs() {}

    /** The one-letter state (R, S, D, T, Z, ...), or 0 when the process is gone (reaped). */
    static char state(long pid) {
        try {
            var stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')'); // the command name may contain spaces and parentheses
            return close > 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    static boolean isZombie(long pid) {
        return state(pid) == 'Z';
    }

    /** Dead: a zombie, or reaped. */
    static boolean isDead(long pid) {
        char s = state(pid);
        return s == 0 || s == 'Z' || s == 'X';
    }

    /** Threads of a live process, or -1. */
    static int threads(long pid) {
        try {
            for (var line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) return Integer.parseInt(line.substring(8).trim());
            }
        } catch (IOException | RuntimeException e) {
            // gone meanwhile
        }
        return -1;
    }

    /** Open file descriptors of a live process, or -1. */
    static int fds(long pid) {
        try (var s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return (int) s.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Live (not zombie) processes carrying {@code mark} in their environment: what the soak started, their children included. */
    static List<Long> marked(String mark) {
        var needle = (MARK + "=" + mark).getBytes(StandardCharsets.UTF_8);
        var out = new ArrayList<Long>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (var dir : dirs.toList()) {
                var name = dir.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                long pid = Long.parseLong(name);
                byte[] env;
                try {
                    env = Files.readAllBytes(dir.resolve("environ"));
                } catch (IOException | RuntimeException e) {
                    continue;
                }
                if (contains(env, needle) && !isDead(pid)) out.add(pid);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** Zombies whose parent is one of the soak's processes or this JVM. */
    static int zombiesUnder(List<Long> parents) {
        int n = 0;
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (var dir : dirs.toList()) {
                var name = dir.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                try {
                    var stat = Files.readString(dir.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    var f = stat.substring(close + 2).split(" ");
                    if (f[0].equals("Z") && parents.contains(Long.parseLong(f[1]))) n++;
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return n;
    }

    private static boolean contains(byte[] env, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= env.length; i++) {
            if (i > 0 && env[i - 1] != 0) continue; // only at the start of a variable
            for (int j = 0; j < needle.length; j++) if (env[i + j] != needle[j]) continue outer;
            if (i + needle.length == env.length || env[i + needle.length] == 0) return true;
        }
        return false;
    }

    /** Sends a signal (KILL, STOP, CONT, TERM) to any process of this user. */
    static void signal(long pid, String signal) {
        try {
            var p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a short command; its exit code and output. */
    static Result run(List<String> command) {
        try {
            var p = new ProcessBuilder(command).redirectErrorStream(true).start();
            var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    record Result(int exit, String output) {}

    /** The load average as /proc/loadavg says it (1, 5, 15 minutes). */
    static String loadAverage() {
        try {
            var f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }
}
