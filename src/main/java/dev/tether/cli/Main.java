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
        var cl = new CommandLine(new TetherCommand());
        cl.setParameterExceptionHandler((e, a) -> {
            var err = e.getCommandLine().getErr();
            err.println("tether: " + e.getMessage());
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
                };
                case dev.tether.redis.RedisUnavailableException r -> ExitCodes.UNREACHABLE;
                case IllegalArgumentException i -> ExitCodes.BAD_INPUT;
                default -> ExitCodes.FAILED;
            };
        });
        return cl.execute(args);
    }

    private static String oneLine(Throwable e) {
        var m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        return m.replace('\n', ' ');
    }
}
