package dev.tether.redis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis Cluster on loopback: three masters sharing the 16,384 slots, each with one replica, all
 * {@code redis-server --cluster-enabled yes} processes (the binary {@link RealRedis} starts), formed
 * with the cluster's own commands ({@code ADDSLOTS}, {@code MEET}, {@code REPLICATE}). A node that is
 * stopped keeps its cluster identity (its nodes file) and rejoins when started again.
 */
final class RealCluster implements AutoCloseable {
    static final int SLOTS = 16_384;
    final List<RealRedis> nodes = new ArrayList<>();

    static RealCluster start() throws Exception {
        return start(null);
    }

    /** @param binary a redis-server other than the tests' own (e.g. {@link RealRedis#SYSTEM_BINARY}), or null */
    static RealCluster start(String binary) throws Exception {
        var c = new RealCluster();
        try {
            var dir = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "redis-cluster");
            for (int i = 0; i < 6; i++) {
                var settings = new String[] {"cluster-enabled yes", "cluster-config-file " + dir.resolve("nodes-" + i + ".conf"),
                        "cluster-node-timeout 1000", "cluster-replica-validity-factor 0"};
                c.nodes.add(binary == null ? RealRedis.start(settings) : RealRedis.startBinary(binary, settings));
            }
            for (int i = 0; i < 3; i++) {
                try (var m = jedis(c.nodes.get(i))) {
                    m.clusterAddSlots(IntStream.range(i * SLOTS / 3, (i + 1) * SLOTS / 3).toArray());
                }
            }
            try (var first = jedis(c.nodes.getFirst())) {
                for (var n : c.nodes.subList(1, 6)) first.clusterMeet("127.0.0.1", n.port);
            }
            // a replica can follow a master only once it knows it
            for (int i = 3; i < 6; i++) {
                var masterId = c.id(c.nodes.get(i - 3));
                var replica = c.nodes.get(i);
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    try (var r = jedis(replica)) {
                        return r.clusterNodes().contains(masterId);
                    }
                });
                try (var r = jedis(replica)) {
                    r.clusterReplicate(masterId);
                }
            }
            await().atMost(Duration.ofSeconds(60)).until(c::healthy);
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    /** The address Tether is given: one node only (the others are discovered). */
    String uri(String prefix) {
        return "redis-cluster://127.0.0.1:" + nodes.get(4).port + "?prefix=" + prefix;
    }

    /** Every node, as an address names them: {@code 127.0.0.1:P1,127.0.0.1:P2,...}. */
    String allNodes() {
        return String.join(",", nodes.stream().map(n -> "127.0.0.1:" + n.port).toList());
    }

    String id(RealRedis node) {
        try (var c = jedis(node)) {
            return c.clusterMyId();
        }
    }

    /** The node that is master of this slot now, as the first node that answers says; null while none is (a failover). */
    RealRedis masterOf(int slot) {
        for (var n : nodes) {
            try (var c = jedis(n)) {
                var at = RedisSettings.masterOf(slot, c.clusterNodes());
                return at == null ? null : nodes.stream().filter(r -> r.port == at.getPort()).findFirst().orElseThrow();
            } catch (RuntimeException e) { // a stopped node: ask the next
            }
        }
        return null;
    }

    /** The replica of {@code master} (each master has one). */
    RealRedis replicaOf(RealRedis master) {
        var masterId = id(master);
        return nodes.stream().filter(n -> n != master).filter(n -> {
            try (var c = jedis(n)) {
                var info = c.info("replication");
                return info.contains("role:slave") && c.clusterNodes().lines().anyMatch(l -> l.contains("myself") && l.contains(masterId));
            } catch (RuntimeException e) {
                return false;
            }
        }).findFirst().orElseThrow();
    }

    /**
     * Moves one slot from its master to another, as {@code redis-cli --cluster reshard} does: the slot
     * importing on the target and migrating on the source, its keys moved a few at a time (pausing
     * between batches, so that work on the slot meets it half moved), then the slot given to the
     * target on every master.
     */
    void moveSlot(int slot, RealRedis from, RealRedis to) throws InterruptedException {
        var fromId = id(from);
        var toId = id(to);
        try (var source = jedis(from); var target = jedis(to)) {
            target.clusterSetSlotImporting(slot, fromId);
            source.clusterSetSlotMigrating(slot, toId);
            for (List<String> keys; !(keys = source.clusterGetKeysInSlot(slot, 5)).isEmpty(); ) {
                source.migrate("127.0.0.1", to.port, 0, 10_000, redis.clients.jedis.params.MigrateParams.migrateParams().replace(),
                        keys.toArray(String[]::new));
                Thread.sleep(20);
            }
            target.clusterSetSlotNode(slot, toId);
            source.clusterSetSlotNode(slot, toId);
        }
        for (var n : nodes) {
            if (n == from || n == to) continue;
            if (isMaster(n)) {
                try (var c = jedis(n)) {
                    c.clusterSetSlotNode(slot, toId);
                }
            }
        }
    }

    boolean isMaster(RealRedis node) {
        try (var c = jedis(node)) {
            return c.info("replication").contains("role:master");
        }
    }

    /** Every running node says the cluster is ok, and every replica's link to its master is up. */
    boolean healthy() {
        for (var n : nodes) {
            try (var c = jedis(n)) {
                if (!c.clusterInfo().contains("cluster_state:ok")) return false;
                var replication = c.info("replication");
                if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) return false;
            } catch (RuntimeException e) {
                return false;
            }
        }
        return true;
    }

    /** A plain connection to one node (the cluster's own commands are not a pooled client's). */
    static redis.clients.jedis.Jedis jedis(RealRedis node) {
        return new redis.clients.jedis.Jedis(new redis.clients.jedis.HostAndPort("127.0.0.1", node.port),
                redis.clients.jedis.DefaultJedisClientConfig.builder().timeoutMillis(15_000)
                        .protocol(redis.clients.jedis.RedisProtocol.RESP2).build());
    }

    @Override
    public void close() throws Exception {
        for (var n : nodes) n.close();
    }
}
