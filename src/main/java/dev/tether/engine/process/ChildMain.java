package dev.tether.engine.process;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.engine.EngineConfig;
import dev.tether.engine.LocalEngine;
import dev.tether.engine.LocalRunQueue;
import dev.tether.registry.RunRegistry;
import dev.tether.run.RunEvent;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * A child JVM of process isolation: a one-slot engine on threads, fed run requests on stdin, telling
 * its parent every fact about its run on stdout as it happens. It stops runs when told (after-node
 * or cancel; a kill is the parent's to do) and never declares a run STUCK: past the grace the parent
 * destroys it. It ends when its parent does.
 *
 * <p>Arguments: parent pid, worker name, plugins folder, then graph classes to load.
 */
public final class ChildMain {
    /** Longer than any grace: in a child, the parent decides when waiting is over. */
    private static final Duration NEVER_STUCK = Duration.ofDays(365);

    private ChildMain() {}

    public static void main(String[] args) throws Exception {
        // The protocol owns stdout; whatever nodes print goes to stderr, which the parent keeps a tail of.
        var protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        long parentPid = Long.parseLong(args[0]);
        OrphanGuard.start(parentPid);
        var catalog = catalog(Path.of(args[2]), java.util.Arrays.copyOfRange(args, 3, args.length));
        var queue = new LocalRunQueue(4);
        var registry = new RunRegistry(100);
        registry.listen(event -> {
            if (!forwarded(event)) return;
            synchronized (protocol) {
                protocol.println(ChildMessage.event(event).toLine());
                protocol.flush();
            }
            // A run's end also ends whatever its nodes started: the child is reused, its leftovers are
            // not. After the report (listing processes costs milliseconds), before this slot takes the
            // next run, which runs on this same thread.
            if (isEnd(event)) ProcessTree.killDescendantsOfSelf(1_000);
        });
        var checkpoints = new ChildCheckpointStore(m -> {
            synchronized (protocol) {
                protocol.println(m.toLine());
                protocol.flush();
            }
        });
        var config = EngineConfig.defaults().withConcurrency(1).withCancelGrace(NEVER_STUCK)
                .withWorkerName(args[1]).withCheckpointSaver(checkpoints);
        var engine = new LocalEngine(config, catalog, registry, queue);
        engine.prepareGraphs();
        synchronized (protocol) {
            protocol.println(ChildMessage.ready(ProcessHandle.current().pid()).toLine());
            protocol.flush();
        }
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            ChildMessage msg;
            try {
                msg = ChildMessage.parse(line);
            } catch (IllegalArgumentException e) { // never the end of the child: the parent would see a crash
                System.err.println("tether child: unreadable message skipped: " + e.getMessage());
                continue;
            }
            switch (msg.op()) {
                case ChildMessage.RUN -> {
                    if (msg.checkpoint() != null) {
                        try {
                            checkpoints.seed(msg.request().runId(), msg.checkpoint().toCheckpoint());
                        } catch (IllegalArgumentException e) { // the run then fails with "no checkpoint", named below
                            System.err.println("tether child: unreadable starting checkpoint: " + e.getMessage());
                        }
                    }
                    registry.apply(msg.request().submitted());
                    queue.offer(msg.request());
                }
                case ChildMessage.STOP -> {
                    // Stopped before its slot took it: a queued run ends at its cancel request, which
                    // the parent does not take from here, so say it in the parent's terms.
                    if (engine.cancel(msg.runId(), dev.tether.run.CancelRequest.of(msg.level())) == dev.tether.run.CancelOutcome.CANCELLED_BEFORE_START) {
                        synchronized (protocol) {
                            protocol.println(ChildMessage.event(new RunEvent.Cancelled(msg.runId(), null, java.time.Instant.now())).toLine());
                            protocol.flush();
                        }
                    }
                }
                default -> System.err.println("tether child: unknown message " + line);
            }
        }
        OrphanGuard.exitNow("stdin closed");
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

    private static GraphCatalog catalog(Path plugins, String[] classes) {
        var byId = new LinkedHashMap<String, GraphDefinition>();
        for (var d : GraphCatalog.load(plugins).all()) byId.put(d.id(), d);
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
