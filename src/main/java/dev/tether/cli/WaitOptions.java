package dev.tether.cli;

import picocli.CommandLine.Option;

import java.time.Duration;

/** {@code --wait} and {@code --timeout} of the cancel commands: wait until the runs have stopped, or exit 5. */
final class WaitOptions {
    @Option(names = "--wait", description = "Wait until the cancelled runs have stopped.")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --wait: how long in total (default: 30s); exit 5 if a run has not stopped by then.")
    Duration timeout = Duration.ofSeconds(30);
}
