package dev.tether.redis;

import dev.tether.api.GraphDefinition;
import dev.tether.catalog.GraphCatalog;
import dev.tether.run.CancelOutcome;
import dev.tether.run.CancelRequest;
import dev.tether.run.RunSnapshot;
import dev.tether.run.RunStatus;
import dev.tether.run.StopLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.tether.testing.Hang.eventuallyAcrossProcesses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis Cluster, against real processes: a cluster of three masters and three replicas, worker
 * processes and views given {@code redis-cluster://} addresses. Every key of a prefix carries the
 * prefix as its hash tag, so a prefix lives on the master of one slot, where its scripts and
 * transactions run as on a single Redis; two prefixes on two masters work side by side; and runs
 * under way when their master fails over (by an operator, then by its death) are each accounted for.
 */
@Tag("process")
class RedisClusterTest {
    private final List<AutoCloseable> closeFirst = new ArrayList<>();
    private RealCluster cluster;
    private Path log;

    @AfterEach
    void tearDown() throws Exception {
        for (var c : closeFirst.reversed()) c.close();
        if (cluster != null) cluster.close();
    }

    private RedisView view(String uri) {
        var graphs = new ArrayList<GraphDefinition>(GraphCatalog.load(null).all());
        graphs.add(new CountingGraph());
        var view = RedisView.live(RedisSettings.parse(uri), GraphCatalog.of(graphs), Routing.none());
        closeFirst.add(view);
        return view;
    }

    private WorkerProcess worker(String uri, String name, String queue) throws Exception {
        var w = WorkerProcess.start(uri, name, queue, 4);
        closeFirst.add(w);
        return w;
    }

    private static List<String> submit(RedisView view, String queue, String tagPrefix, int n, int nodeMillis) {
        var ids = new ArrayList<String>();
        for (int i = 0; i < n; i++) {
            ids.add(view.submit("counted", queue, Map.of("log", Path.of("target", "redis-workers").toAbsolutePath() + "/" + queue + ".log",
                    "tag", tagPrefix + i, "nodeMillis", nodeMillis)).runId());
        }
        return ids;
    }

    private static int completed(RedisView view, List<String> ids) {
        return (int) ids.stream().filter(id -> view.registry().get(id).map(r -> r.status() == RunStatus.COMPLETED).orElse(false)).count();
    }

    private static void awaitEnded(RedisView view, List<String> ids) {
        try (var watch = dev.tether.testing.ProgressWatch.of("runs ending on a cluster", () -> ids.stream()
                .filter(id -> view.registry().get(id).map(RunSnapshot::isTerminal).orElse(false)).count())) {
            eventuallyAcrossProcesses().until(() -> ids.stream().allMatch(id -> view.registry().get(id).map(RunSnapshot::isTerminal).orElse(false)));
        }
    }

    /** Every run COMPLETED in the view and on its prefix's master of the moment, each of its nodes started once, nothing pending. */
    private void assertAccountedFor(RedisView view, Keys keys, String queue, List<String> ids, List<WorkerProcess> workers) throws Exception {
        for (var id : ids) assertThat(view.registry().get(id).orElseThrow().status()).as(id).isEqualTo(RunStatus.COMPLETED);
        var nodes = CountingGraph.read(Path.of("target", "redis-workers", queue + ".log").toAbsolutePath());
        assertThat(nodes).as("every run of " + queue + " executed").hasSize(ids.size());
        nodes.forEach((tag, started) -> assertThat(started.stream().map(n -> n[0]).toList()).as("nodes of " + tag)
                .containsExactlyElementsOf(CountingGraph.NODES));
        var home = cluster.masterOf(keys.slot());
        var store = new RunStore(home.admin(), keys, Duration.ofDays(1), 10_000);
        for (var id : ids) assertThat(store.get(id).orElseThrow().status()).as(id + " on its master").isEqualTo(RunStatus.COMPLETED);
        RedisAccounting.assertNothingPending(home, keys, List.of(queue), workers.stream().map(w -> w.name).toList());
    }

    /**
     * Until a node other than {@code old} is the slot's master, asked once per try: asked twice, a
     * first answer of {@code old} (not yet flagged failing) and a second of none (flagged now) passed
     * for a failover that had not happened, and {@code old} was started again, empty, before its
     * replica took over: the cluster kept the empty node as master, and the prefix's data was gone.
     */
    private void awaitMasterOtherThan(int slot, RealRedis old) {
        eventuallyAcrossProcesses().until(() -> {
            var now = cluster.masterOf(slot);
            return now != null && now != old;
        });
    }

    /** Two prefix names whose slots are served by two different masters. */
    private List<String> prefixesOnTwoMasters() {
        var first = "east";
        var firstHome = cluster.masterOf(Keys.hashTagged(first).slot());
        for (int i = 0; ; i++) {
            var other = "west" + i;
            if (cluster.masterOf(Keys.hashTagged(other).slot()) != firstHome) return List.of(first, other);
        }
    }

    /** The workers' log folder ready, with no log left from an earlier run of {@code prefix}. */
    private static void freshLog(String prefix) throws java.io.IOException {
        Files.createDirectories(Path.of("target", "redis-workers"));
        Files.deleteIfExists(Path.of("target", "redis-workers", prefix + ".log"));
    }

    @Test
    void eachPrefixLivesOnTheMasterOfItsSlotWhereItsRunsRunCancelAndAnswerAsOnOneRedis() throws Exception {
        cluster = RealCluster.start();
        var prefixes = prefixesOnTwoMasters();
        var views = new ArrayList<RedisView>();
        var workers = new ArrayList<List<WorkerProcess>>();
        var ids = new ArrayList<List<String>>();
        for (var prefix : prefixes) {
            freshLog(prefix);
            var uri = cluster.uri(prefix); // one node, a replica: the masters are discovered
            workers.add(List.of(worker(uri, prefix + "-w1", prefix), worker(uri, prefix + "-w2", prefix)));
            var view = view(uri);
            views.add(view);
            ids.add(submit(view, prefix, prefix, 20, 10));
        }
        for (int p = 0; p < 2; p++) awaitEnded(views.get(p), ids.get(p));
        for (int p = 0; p < 2; p++) {
            var prefix = prefixes.get(p);
            var keys = Keys.hashTagged(prefix);
            assertAccountedFor(views.get(p), keys, prefix, ids.get(p), workers.get(p));
            // every key of the prefix on its own master, none on the other masters
            var home = cluster.masterOf(keys.slot());
            for (var node : cluster.nodes) {
                try (var c = node.admin()) {
                    if (!c.info("replication").contains("role:master")) continue;
                    var found = c.keys("*" + prefix + "*");
                    if (node == home) assertThat(found).as("keys of " + prefix + " on its master").isNotEmpty()
                            .allMatch(k -> k.startsWith("{" + prefix + "}:"));
                    else assertThat(found).as("keys of " + prefix + " on another master").isEmpty();
                }
            }
        }

        // an address of the wrong kind is a one-line error (exit code 4), either way round
        var asSingle = CliRun.of(Map.of(RedisSettings.ENV, "redis://127.0.0.1:" + cluster.nodes.getFirst().port), "list");
        assertThat(asSingle.exit()).as(asSingle.err()).isEqualTo(4);
        assertThat(asSingle.err()).contains("it is a cluster node (use redis-cluster:// for it)").doesNotContain("\n");
        try (var single = RealRedis.start()) {
            var asCluster = CliRun.of(Map.of(RedisSettings.ENV, "redis-cluster://127.0.0.1:" + single.port), "list");
            assertThat(asCluster.exit()).as(asCluster.err()).isEqualTo(4);
            assertThat(asCluster.err()).contains("it is a single server, not a cluster node (use redis:// for it)").doesNotContain("\n");
        }

        // a cancel inside a node, and the one-shot commands of the command line, on the cluster
        var view = views.getFirst();
        var uri = cluster.uri(prefixes.getFirst());
        var slow = submit(view, prefixes.getFirst(), "slow", 1, 60_000).getFirst();
        eventuallyAcrossProcesses().until(() -> view.registry().get(slow).map(r -> r.status() == RunStatus.RUNNING).orElse(false));
        var shortId = view.registry().get(slow).orElseThrow().shortId();
        var status = CliRun.of(Map.of(RedisSettings.ENV, uri), "status", shortId);
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(status.out()).contains(slow).containsIgnoringCase("running");
        var cancel = CliRun.of(Map.of(RedisSettings.ENV, uri), "cancel", shortId, "--wait");
        assertThat(cancel.exit()).as(cancel.err() + cancel.out()).isZero();
        assertThat(view.awaitTerminal(slow, dev.tether.testing.Hang.ACROSS_PROCESSES).map(RunSnapshot::status)).contains(RunStatus.CANCELLED);
        var list = CliRun.of(Map.of(RedisSettings.ENV, uri), "list", "--json");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(view.cancel(slow, CancelRequest.of(StopLevel.AFTER_NODE))).isEqualTo(CancelOutcome.ALREADY_FINISHED);
    }

    /**
     * Redis 7 passes no {@code SCRIPT LOAD} to replicas: a replica promoted by a failover would refuse
     * every role below admin until the admin step ran again, unless that step loads them everywhere.
     * On 6.2 and on Debian's 7 (skipped where it is not installed).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"embedded", RealRedis.SYSTEM_BINARY})
    void theAdminStepLoadsTheScriptsOnEveryNodeSoThatAFailoverFindsThem(String binary) throws Exception {
        if (!binary.equals("embedded")) {
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(binary)),
                    binary + " is not installed (apt-get install redis-server): Redis 7's cluster is not checked here");
        }
        cluster = RealCluster.start(binary.equals("embedded") ? null : binary);
        RedisSetup.run(RedisSettings.parse(cluster.uri("setup")), null);
        for (var node : cluster.nodes) {
            try (var c = RealCluster.jedis(node)) {
                assertThat(c.scriptExists(Script.all().stream().map(Script::sha).toArray(String[]::new))).as("scripts on " + node.port)
                        .containsOnly(true);
            }
        }
    }

    /**
     * The documented role users on every node, their patterns on the prefix's hash tag and the two
     * cluster commands a cluster client needs added (docs/redis-protocol.md): the admin step, a worker
     * process, a submitter's view and an observer's command line each do their part, each given an
     * address whose first node does not answer.
     */
    @Test
    void eachRoleDoesItsPartOnAClusterWithTheDocumentedAcl() throws Exception {
        cluster = RealCluster.start();
        var prefix = "roles";
        freshLog(prefix);
        for (var node : cluster.nodes) {
            try (var c = RealCluster.jedis(node); var admin = node.admin()) {
                int major = MinimalAcl.majorVersion(admin);
                for (var role : MinimalAcl.Role.values()) {
                    var args = new ArrayList<String>(List.of("SETUSER"));
                    for (var w : MinimalAcl.setUser(role, major, role.name().toLowerCase(java.util.Locale.ROOT), "pw")) {
                        args.add(w.replace("tether:", "{" + prefix + "}:"));
                    }
                    args.addAll(List.of("+cluster|slots", "+cluster|nodes"));
                    c.sendCommand(redis.clients.jedis.Protocol.Command.ACL, args.toArray(String[]::new));
                }
            }
        }
        int down; // a node named first that does not answer: every connection starts from the first one that does
        try (var s = new java.net.ServerSocket(0)) {
            down = s.getLocalPort();
        }
        java.util.function.Function<String, String> as = user -> "redis-cluster://" + user + ":pw@127.0.0.1:" + down + ","
                + cluster.allNodes() + "?prefix=" + prefix;

        RedisSetup.run(RedisSettings.parse(as.apply("admin")), null);
        var worker = worker(as.apply("worker"), "roles-1", prefix);
        var view = view(as.apply("submitter"));
        var ids = submit(view, prefix, "r", 10, 10);
        awaitEnded(view, ids);
        assertAccountedFor(view, Keys.hashTagged(prefix), prefix, ids, List.of(worker));
        var list = CliRun.of(Map.of(RedisSettings.ENV, as.apply("observer")), "status", ids.getFirst());
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).containsIgnoringCase("completed");
        var refused = CliRun.of(Map.of(RedisSettings.ENV, as.apply("observer")), "submit", "counted", "--queue", prefix);
        assertThat(refused.exit()).as("an observer may not submit: " + refused.out()).isNotZero();
    }

    /**
     * {@code ?replicas=1} in a cluster, as on one Redis (ReplicaWaitTest): the {@code WAIT} goes to the
     * master of the prefix's slot, on the connection of the write. With that master's replica down, a
     * submit is reported as maybe not kept, a claim starts no node, and the end of a run under way is
     * kept by its worker and tried again; once the replica is back, the runs complete, each node once,
     * and the replica holds the end.
     */
    @Test
    void aPrefixWhoseReplicaIsDownKeepsNoWriteAFailoverCouldLoseUntilItIsBack() throws Exception {
        cluster = RealCluster.start();
        var prefix = "careful";
        freshLog(prefix);
        var keys = Keys.hashTagged(prefix);
        var replica = cluster.replicaOf(cluster.masterOf(keys.slot()));
        var nodes = "redis-cluster://" + cluster.allNodes() + "?prefix=" + prefix;
        var view = view(nodes); // waits for no replica: it shows what happens
        var worker = worker(nodes + "&replicas=1", "careful-1", prefix);
        // a run under way, held in its last node while the replica goes
        var gate = Path.of("target", "redis-workers", "careful-" + System.nanoTime() + ".gate").toAbsolutePath();
        var held = view.submit("counted", prefix, Map.of("log", Path.of("target", "redis-workers").toAbsolutePath() + "/" + prefix + ".log",
                "tag", "held", "holdAt", "n5", "gate", gate.toString())).runId();
        eventuallyAcrossProcesses().until(() -> view.registry().get(held).map(r -> "n5".equals(r.currentNode())).orElse(false));
        replica.stop();

        // its end is not confirmed: kept by the worker and tried again, while the master already published it
        Files.createFile(gate);
        eventuallyAcrossProcesses().until(() -> Files.readString(worker.log)
                .contains("could not record the end of run " + held + " yet (Redis did not confirm finish.lua on 1 replica"));

        try (var careful = RedisView.oneShot(RedisSettings.parse(nodes + "&replicas=1"), GraphCatalog.load(null), Routing.none())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> careful.submit("welcome-email", prefix, Map.of()))
                    .isInstanceOf(NotReplicatedException.class).hasMessageContaining("may or may not");
        }
        var id = submit(view, prefix, "r", 1, 0).getFirst();
        // the worker claims it again and again; none is confirmed, so none starts it
        eventuallyAcrossProcesses().until(() -> Files.readString(worker.log).contains("did not confirm claim.lua on 1 replica"));
        var waiting = view.run(id).orElseThrow();
        assertThat(waiting.currentNode()).as("no node started").isNull();
        assertThat(waiting.steps()).isZero();
        assertThat(CountingGraph.read(Path.of("target", "redis-workers", prefix + ".log").toAbsolutePath())).containsOnlyKeys("held");

        assertThat(RedisSetup.run(RedisSettings.parse(nodes), null)).as("the admin step, a node down: it loads the others")
                .hasSameSizeAs(Script.all());

        replica.startAgain(); // it rejoins as the replica it was, and catches up
        awaitEnded(view, List.of(id, held));
        eventuallyAcrossProcesses().until(() -> { // the end tried again and confirmed: the replica holds it
            try (var r = new redis.clients.jedis.Jedis("127.0.0.1", replica.port)) {
                r.readonly();
                var stored = RunStore.parse(held, r.hget(keys.run(held), "j"));
                return stored != null && stored.status() == RunStatus.COMPLETED;
            }
        });
        // the submit nobody confirmed ran its script before the WAIT: kept here, so it runs now, once
        var maybe = view.registry().select(r -> r.graphId().equals("welcome-email")).stream().map(RunSnapshot::runId).toList();
        assertThat(maybe).hasSizeLessThanOrEqualTo(1);
        awaitEnded(view, maybe);
        for (var m : maybe) assertThat(view.run(m).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        assertAccountedFor(view, keys, prefix, List.of(id, held), List.of(worker));
    }

    /**
     * An operator moves the prefix's slot to another master (resharding) while runs are under way: its
     * keys move a few at a time, so scripts meet the slot half moved (ASK, TRYAGAIN); every run is
     * accounted for on the new master, and work goes on there.
     */
    @Test
    void runsUnderWayWhileTheirSlotMovesToAnotherMasterAreEachAccountedFor() throws Exception {
        cluster = RealCluster.start();
        var prefix = "moving";
        freshLog(prefix);
        var keys = Keys.hashTagged(prefix);
        var uri = "redis-cluster://" + cluster.allNodes() + "?prefix=" + prefix;
        var workers = List.of(worker(uri, "mover-1", prefix), worker(uri, "mover-2", prefix));
        var view = view(uri);

        var ids = new ArrayList<>(submit(view, prefix, "m", 40, 60));
        eventuallyAcrossProcesses().until(() -> completed(view, ids) >= 5);
        var from = cluster.masterOf(keys.slot());
        var to = cluster.nodes.stream().filter(n -> n != from && cluster.isMaster(n)).findFirst().orElseThrow();
        cluster.moveSlot(keys.slot(), from, to);
        assertThat(cluster.masterOf(keys.slot())).isSameAs(to);
        ids.addAll(submit(view, prefix, "n", 10, 0));
        awaitEnded(view, ids);
        assertAccountedFor(view, keys, prefix, ids, workers);
    }

    @Test
    void runsUnderWayWhenTheirMasterFailsOverAreEachAccountedFor() throws Exception {
        cluster = RealCluster.start();
        var prefix = "ha";
        freshLog(prefix);
        var keys = Keys.hashTagged(prefix);
        // every node named (a subscription reconnects to any that answers); a write others rely on waits for the replica
        var uri = "redis-cluster://" + cluster.allNodes() + "?prefix=" + prefix + "&replicas=1";
        var workers = List.of(worker(uri, "ha-1", prefix), worker(uri, "ha-2", prefix));
        var view = view(uri);

        // 1. an operator fails the prefix's master over to its replica (CLUSTER FAILOVER) with runs under way
        var first = cluster.masterOf(keys.slot());
        var ids = submit(view, prefix, "a", 40, 60);
        eventuallyAcrossProcesses().until(() -> completed(view, ids) >= 5);
        try (var c = RealCluster.jedis(cluster.replicaOf(first))) {
            c.clusterFailover();
        }
        awaitMasterOtherThan(keys.slot(), first);
        awaitEnded(view, ids);
        assertAccountedFor(view, keys, prefix, ids, workers);

        // 2. the master of the moment dies with runs under way; its replica takes over, and the dead one comes back as a replica
        var second = cluster.masterOf(keys.slot());
        var more = new ArrayList<>(submit(view, prefix, "b", 40, 60));
        eventuallyAcrossProcesses().until(() -> completed(view, more) >= 5);
        second.stop();
        awaitMasterOtherThan(keys.slot(), second);
        second.startAgain();
        eventuallyAcrossProcesses().until(cluster::healthy);
        awaitEnded(view, more);
        var all = new ArrayList<>(ids);
        all.addAll(more);
        assertAccountedFor(view, keys, prefix, all, workers);

        // 3. work still flows on the master of the moment
        var after = submit(view, prefix, "c", 1, 0);
        awaitEnded(view, after);
        all.addAll(after);
        assertAccountedFor(view, keys, prefix, all, workers);
    }
}
