package dev.tether.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process whose parent does not reap it: killed, it stays a zombie (state {@code Z} in
 * {@code /proc/PID/stat}, and {@link ProcessHandle#isAlive()} still true) until {@link #reap()} is
 * called, as under a slow supervisor or a container whose PID 1 never reaps. A JVM cannot be that
 * parent (the JDK reaps every child it starts), so the parent is a few lines of Perl (part of every
 * Debian system: perl-base is essential): it forks, execs the command, prints the pid, and waits for
 * its word before it reaps. If the test dies, the parent's stdin closes and it kills and reaps the
 * command itself, so nothing is left behind.
 */
public final class UnreapedProcess implements AutoCloseable {
    private static final String PARENT = """
            $| = 1;
            my $log = shift @ARGV;
            my $pid = fork();
            die "fork: $!" unless defined $pid;
            if ($pid == 0) {
                open(STDIN, '<', '/dev/null');
                open(STDOUT, '>>', $log) or die "cannot write $log: $!";
                open(STDERR, '>&', \\*STDOUT);
                exec(@ARGV) or die "exec: $!";
            }
            print "$pid\\n";
            my $asked = 0;
            while (my $line = <STDIN>) { if ($line =~ /^reap/) { $asked = 1; last; } }
            kill('KILL', $pid) unless $asked;
            waitpid($pid, 0);
            print "reaped\\n";
            """;

    private final Process parent;
    private final BufferedReader parentOut;
    private final Writer parentIn;
    private final long pid;
    private boolean reaped;

    private UnreapedProcess(Process parent) throws IOException {
        this.parent = parent;
        this.parentOut = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
        this.parentIn = new java.io.OutputStreamWriter(parent.getOutputStream(), StandardCharsets.UTF_8);
        var line = parentOut.readLine();
        if (line == null) throw new IOException("the reaping parent did not start: " + new String(parent.getErrorStream().readAllBytes()));
        this.pid = Long.parseLong(line.strip());
    }

    /**
     * Starts {@code command} (its command line, environment and folder) under a parent that does not
     * reap it; its stdout and stderr go to {@code log}.
     */
    public static UnreapedProcess start(ProcessBuilder command, Path log) throws IOException {
        var perl = Path.of("/usr/bin/perl");
        if (!Files.isExecutable(perl)) throw new IllegalStateException("/usr/bin/perl is needed to keep a killed process unreaped");
        var args = new ArrayList<String>(List.of(perl.toString(), "-e", PARENT, log.toAbsolutePath().toString()));
        args.addAll(command.command());
        var pb = new ProcessBuilder(args);
        pb.environment().clear();
        pb.environment().putAll(command.environment());
        if (command.directory() != null) pb.directory(command.directory());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        return new UnreapedProcess(pb.start());
    }

    public long pid() {
        return pid;
    }

    public ProcessHandle handle() {
        return ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("process " + pid + " is gone"));
    }

    /** The state letter in {@code /proc/PID/stat} ({@code R}, {@code S}, {@code Z}, ...), or 0 when there is no such process. */
    public char state() {
        try {
            var stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    public boolean isZombie() {
        return state() == 'Z';
    }

    /** SIGKILL, and waits until the process is a zombie: dead, and not reaped. */
    public void kill() throws InterruptedException {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!isZombie()) {
            if (System.nanoTime() > deadline) throw new AssertionError("process " + pid + " did not die (state " + state() + ")");
            Thread.sleep(10);
        }
    }

    /** Lets the parent reap it (after {@link #kill}); afterwards the pid names no process. */
    public void reap() throws IOException, InterruptedException {
        if (reaped) return;
        parentIn.write("reap\n");
        parentIn.flush();
        var line = parentOut.readLine();
        if (!"reaped".equals(line)) throw new IOException("the parent did not reap " + pid + ": " + line);
        reaped = true;
        parent.waitFor(30, TimeUnit.SECONDS);
    }

    /** Kills and reaps it, whatever state it is in. */
    @Override
    public void close() throws IOException {
        if (!reaped) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            parentIn.close(); // the parent kills what is left and reaps it
            reaped = true;
        }
        try {
            if (!parent.waitFor(30, TimeUnit.SECONDS)) parent.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            parentOut.close();
        }
    }
}
