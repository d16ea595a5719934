package dev.tether.engine.process;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.CheckpointCodec;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.engine.LocalRunQueue;
import dev.tether.engine.StateClasses;
import dev.tether.json.Json;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A child JVM of process isolation: a one-slot engine on threads, fed run requests by its parent on
 * its {@link ChildChannel}, telling the parent every fact about its run there as it happens. It stops
 * runs when told (after-node or cancel; a kill is the parent's to do) and never declares a run STUCK:
 * past the grace the parent destroys it. It ends when its parent does.
 *
 * <p>It makes itself a subreaper and leads a session of its own before any node runs, so whatever its
 * nodes start (daemons and double forks included) stays in its tree: after each run it kills all of
 * it and collects it, and says {@code idle} only once nothing is left.
 *
 * <p>Arguments: parent pid, worker name, plugin folders (joined with the path separator, may be
 * empty), then graph classes to load. Stdin: one line with the channel's socket and nonce.
 */
public final class ChildMain {
    /** Longer than any grace: in a child, the parent decides when waiting is over. */
    private static final Duration NEVER_STUCK = Duration.ofDays(365);
    /** How long a run's leftovers may take to die before the child asks to be replaced instead. */
    private static final Duration CLEAR = Duration.ofSeconds(2);

    private ChildMain() {}

    public static void main(String[] args) throws Exception {
        var hello = hello();
        // Nothing of stdin is for the nodes; their prints go to stdout/stderr, which the parent only logs.
        System.setIn(new ByteArrayInputStream(new byte[0]));
        boolean subreaper = Posix.becomeSubreaper();
        boolean session = Posix.newSession();
        long parentPid = Long.parseLong(args[0]);
        OrphanGuard.start(parentPid);
        var catalog = catalog(args[2], java.util.Arrays.copyOfRange(args, 3, args.length));
        var channel = ChildChannel.connect(Path.of(hello.get("socket")));
        var queue = new LocalRunQueue(4);
        var registry = new RunRegistry(100);
        // A run's end also ends whatever its nodes started: the child is reused, its leftovers are not.
        // After the report, off the registry's lock; the parent sends no next run before 'idle'.
        var afterRun = java.util.concurrent.Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("tether-child-after-run").unstarted(r));
        registry.listen(event -> {
            if (!forwarded(event)) return;
            send(channel, ChildMessage.event(event));
            if (isEnd(event)) afterRun.execute(() -> afterRun(channel));
        });
        var checkpoints = new ChildCheckpointStore(m -> send(channel, m));
        var config = EngineConfig.defaults().withConcurrency(1).withCancelGrace(NEVER_STUCK)
                .withWorkerName(args[1]).withCheckpointSaver(checkpoints);
        var engine = new LocalEngine(config, catalog, registry, queue);
        engine.prepareGraphs();
        send(channel, ChildMessage.ready(ProcessHandle.current().pid(), hello.get("nonce"), subreaper, session));
        while (true) {
            ChildMessage msg;
            try {
                msg = channel.next();
            } catch (ProtocolBreach e) { // the parent would never send it: the channel is not to be trusted
                OrphanGuard.exitNow("unreadable message on its channel: " + e.getMessage());
                return;
            }
            if (msg == null) break;
            switch (msg.op()) {
                case ChildMessage.RUN -> {
                    if (msg.checkpoint() != null) {
                        var def = catalog.find(msg.request().graphId());
                        var classes = def.map(StateClasses::of).orElse(StateClasses.JDK);
                        try {
                            checkpoints.seed(msg.request().runId(), CheckpointCodec.decodingFor(classes, msg.checkpoint()::toCheckpoint));
                        } catch (IllegalArgumentException e) { // the run then fails with this reason
                            checkpoints.seedFailed(msg.request().runId(), e.getMessage());
                        }
                    }
                    registry.apply(msg.request().submitted());
                    queue.offer(msg.request());
                }
                case ChildMessage.STOP -> {
                    // Stopped before its slot took it: a queued run ends at its cancel request, which
                    // the parent does not take from here, so say it in the parent's terms.
                    if (engine.cancel(msg.runId(), dev.tether.run.CancelRequest.of(msg.level())) == dev.tether.run.CancelOutcome.CANCELLED_BEFORE_START) {
                        send(channel, ChildMessage.event(new RunEvent.Cancelled(msg.runId(), null, java.time.Instant.now())));
                        afterRun.execute(() -> afterRun(channel));
                    }
                }
                default -> System.err.println("tether child: unknown message " + msg.op());
            }
        }
        OrphanGuard.exitNow("its parent closed the channel");
    }

    /** Clears what the run started, then says whether this child can take the next run. */
    private static void afterRun(ChildChannel channel) {
        boolean clear = ProcessTree.clearDescendantsOfSelf(CLEAR);
        send(channel, clear ? ChildMessage.idle()
                : ChildMessage.retire("processes its run started were still there " + CLEAR.toSeconds() + " s after they were killed"));
    }

    private static void send(ChildChannel channel, ChildMessage message) {
        try {
            channel.send(message);
        } catch (IOException e) { // the parent is gone (the channel's end ends this child) or the message too long
            System.err.println("tether child: " + message.op() + " not sent: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> hello() throws IOException {
        var line = new BoundedLineReader(System.in, 4096, false).next();
        if (line == null || line.cut()) throw new IOException("no channel named on stdin");
        Map<String, String> hello = Json.read(line.text(), Map.class);
        if (hello.get("socket") == null || hello.get("nonce") == null) throw new IOException("no channel named on stdin");
        return hello;
    }

    /**
     * What the parent's registry needs; the rest (submitted, started, the cancels the parent sent) it
     * applied itself. A stop the run's own limit asked for here (max-steps) is news to the parent.
     */
    private static boolean forwarded(RunEvent e) {
        return e instanceof RunEvent.NodeStarted || e instanceof RunEvent.NodeFinished || isEnd(e)
                || (e instanceof RunEvent.CancelRequested c && c.origin() != null && c.origin().isPolicy());
    }

    private static boolean isEnd(RunEvent e) {
        return e instanceof RunEvent.Completed || e instanceof RunEvent.Failed || e instanceof RunEvent.Cancelled;
    }

    private static GraphCatalog catalog(String pluginFolders, String[] classes) {
        var byId = new LinkedHashMap<String, GraphDefinition>();
        for (var folder : pluginFolders.split(java.io.File.pathSeparator)) {
            if (folder.isBlank()) continue;
            for (var d : GraphCatalog.load(Path.of(folder)).all()) byId.putIfAbsent(d.id(), d);
        }
        if (byId.isEmpty()) for (var d : GraphCatalog.load(null).all()) byId.put(d.id(), d);
        var extra = new ArrayList<GraphDefinition>();
        for (var name : classes) {
            try {
                var ctor = Class.forName(name).getDeclaredConstructor();
                ctor.setAccessible(true); // a graph class need not be public to be listed
                var d = (GraphDefinition) ctor.newInstance();
                if (!byId.containsKey(d.id())) extra.add(d);
            } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
                // e.g. a plugin's class (loaded above from its jar) or one made in code: not loadable by name
            }
        }
        for (var d : extra) byId.put(d.id(), d);
        return GraphCatalog.of(byId.values());
    }
}
