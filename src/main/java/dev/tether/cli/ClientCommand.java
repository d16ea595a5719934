package dev.tether.cli;

import dev.tether.control.ControlClient;
import dev.tether.control.ControlFile;
import dev.tether.control.HttpControlClient;
import dev.tether.json.Json;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** A command that talks to a running instance. The one place that decides which client to use. */
abstract class ClientCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print JSON (field names are stable; see README).")
    boolean json;

    @Override
    public final Integer call() throws Exception {
        checkArguments(); // bad input is exit 2 whether or not anything is running
        ControlClient client;
        try {
            client = openClient();
        } catch (dev.tether.control.ControlException e) {
            if (e.kind() != dev.tether.control.ControlException.Kind.UNREACHABLE) throw e;
            var answered = withoutInstance(e);
            if (answered == null) throw e;
            return answered;
        }
        try (client) {
            return run(client);
        } catch (dev.tether.control.ControlException e) {
            // a control file left by a killed instance is found stale only when it does not answer
            if (e.kind() != dev.tether.control.ControlException.Kind.UNREACHABLE) throw e;
            var answered = withoutInstance(e);
            if (answered == null) throw e;
            return answered;
        }
    }

    /**
     * What the command does when no instance can be reached: null (the default) to fail with
     * {@code unreachable}, or its exit code when it can answer without one.
     */
    Integer withoutInstance(dev.tether.control.ControlException unreachable) {
        return null;
    }

    @Option(names = "--redis", paramLabel = "URI",
            description = "Talk to the workers behind this Redis instead of the local console/server; default: $TETHER_REDIS_URL.")
    String redis;

    ControlClient openClient() {
        var settings = dev.tether.redis.RedisSettings.fromOptionOrEnv(redis);
        if (settings == null) return HttpControlClient.connect(ControlFile.defaultPath());
        var engine = dev.tether.redis.RedisView.oneShot(settings,
                dev.tether.catalog.GraphCatalog.load(dev.tether.catalog.GraphCatalog.defaultPluginsDir()),
                dev.tether.redis.Routing.load(dev.tether.catalog.TetherHome.dir().resolve("routing.properties")),
                dev.tether.policy.PolicyBook.inHome());
        return new dev.tether.control.InProcessControlClient(engine, true);
    }

    abstract int run(ControlClient client) throws Exception;

    /** @throws IllegalArgumentException (exit 2) for arguments no instance could accept */
    void checkArguments() {}

    /** A run id as typed: the full id or at least {@link dev.tether.run.RunIds#MIN_REFERENCE_LENGTH} of its characters. */
    static String runId(String typed) {
        return dev.tether.run.RunIds.checkReference(typed);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    void printJson(Object value) {
        out().println(Json.write(value));
        out().flush();
    }
}
