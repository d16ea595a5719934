package dev.tether.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

import java.util.concurrent.Callable;

// INHERIT: every subcommand takes --help and --version too (a usage error points at `tether CMD --help`)
@Command(name = "tether", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, versionProvider = ManifestVersion.class,
        description = {"Keeps LangGraph4j graph runs under control: run, watch and cancel them.",
                "With no command, opens the desktop console."},
        subcommands = {ConsoleCommand.class, ServeCommand.class, GraphsCommand.class, SubmitCommand.class,
                ListCommand.class, StatusCommand.class, CancelCommand.class, CancelAllCommand.class, ResumeCommand.class,
                WorkerCommand.class, RedisCommand.class, DemoCommand.class,
                TrainStartupCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:done",
                "1:failed for another reason (see the message)",
                "2:bad usage or input (a run id shorter than 8 characters, NaN as a number, ...)",
                "3:unknown run",
                "4:nothing to talk to (no console or server running, stale or untrusted control file, Redis unreachable)",
                "5:a --wait timed out (the run is named with its state)",
                "6:resume refused: the run is still active, or has no readable checkpoint where asked",
                "7:the Tether home or the plugins folder is not private (another user owns it, or group or others may write in it)"})
public final class TetherCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        return new ConsoleCommand().call();
    }
}
