package dev.tether.cli;

import dev.tether.control.ControlException;
import picocli.CommandLine;

/** Entry point of the {@code tether} launcher. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line; returns its exit code (see {@link ExitCodes}). */
    static int run(String... args) {
        return run(null, null, args);
    }

    /**
     * Runs one command line with its output and errors going to {@code out} and {@code err} (null:
     * the process's own). Whatever fails, even an Error from a plugin, ends in one line and an exit
     * code, never a stack trace.
     */
    static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        var cl = new CommandLine(new TetherCommand());
        if (out != null) cl.setOut(out);
        if (err != null) cl.setErr(err);
        try {
            return execute(cl, args);
        } catch (java.util.ServiceConfigurationError | LinkageError | RuntimeException e) {
            cl.getErr().println("tether: " + oneLine(e));
            cl.getErr().flush();
            return ExitCodes.FAILED;
        }
    }

    private static int execute(CommandLine cl, String... args) {
        cl.setParameterExceptionHandler((e, a) -> {
            var err = e.getCommandLine().getErr();
            err.println("tether: " + oneLine(e));
            err.println("(see `" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help`)");
            return ExitCodes.BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            var err = cmd.getErr();
            err.println("tether: " + oneLine(e));
            return switch (e) {
                case ControlException c -> switch (c.kind()) {
                    case BAD_INPUT -> ExitCodes.BAD_INPUT;
                    case UNKNOWN_RUN -> ExitCodes.UNKNOWN_RUN;
                    case UNREACHABLE -> ExitCodes.UNREACHABLE;
                    case SERVER_ERROR -> ExitCodes.FAILED;
                    case NOT_RESUMABLE -> ExitCodes.NOT_RESUMABLE;
                };
                case dev.tether.redis.RedisUnavailableException r -> ExitCodes.UNREACHABLE;
                case dev.tether.catalog.UnsafeFolderException u -> ExitCodes.UNSAFE_HOME;
                case IllegalArgumentException i -> ExitCodes.BAD_INPUT;
                default -> ExitCodes.FAILED;
            };
        });
        // Every command reads or writes the Tether home (control file, store, plugins, settings): none
        // uses a home someone else can write in. Help and version need none.
        cl.setExecutionStrategy(parsed -> {
            if (!parsed.isUsageHelpRequested() && !parsed.isVersionHelpRequested()
                    && parsed.subcommands().stream().noneMatch(p -> p.isUsageHelpRequested() || p.isVersionHelpRequested())) {
                try {
                    dev.tether.catalog.TetherHome.requirePrivate(dev.tether.catalog.TetherHome.dir(), "Tether home");
                } catch (dev.tether.catalog.UnsafeFolderException e) {
                    throw new CommandLine.ExecutionException(cl, e.getMessage(), e);
                }
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return cl.execute(args);
    }

    static String oneLine(Throwable e) {
        String m;
        try {
            m = e.getMessage();
        } catch (RuntimeException unreadable) {
            m = null;
        }
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        return Terminal.safe(m.strip().replace('\n', ' '));
    }
}
