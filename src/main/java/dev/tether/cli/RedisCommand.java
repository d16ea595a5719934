package dev.tether.cli;

import picocli.CommandLine.Command;

/** Administration of Tether's Redis (distributed mode). */
@Command(name = "redis", description = "Administration of Tether's Redis (distributed mode).",
        subcommands = {RedisSetupCommand.class})
final class RedisCommand {
}
