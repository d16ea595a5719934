package dev.tether.cli;

import dev.tether.redis.RedisSettings;
import dev.tether.redis.RedisSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

@Command(name = "setup", description = {"The admin step, as the Redis admin user: load Tether's scripts (no other role may),",
        "and set the server-side configuration. Again after a Redis 7 restart and after upgrading Tether.",
        "Prints each script's SHA1, which the roles' ACLs name (docs/redis-protocol.md)."})
final class RedisSetupCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--redis", paramLabel = "URI", description = "Redis to set up; default: $TETHER_REDIS_URL.")
    String redis;

    @Option(names = "--finished-cap", paramLabel = "N",
            description = "How many finished runs the history index keeps, for every participant (default: what is set, else 10000).")
    Integer finishedCap;

    @Override
    public Integer call() {
        var settings = RedisSettings.fromOptionOrEnv(redis);
        if (settings == null) throw new IllegalArgumentException("no Redis given: --redis URI or " + RedisSettings.ENV);
        var shas = RedisSetup.run(settings, finishedCap);
        var out = spec.commandLine().getOut();
        shas.forEach((name, sha) -> out.println(name + " " + sha));
        out.flush();
        return ExitCodes.OK;
    }
}
