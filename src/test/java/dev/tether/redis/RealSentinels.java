package dev.tether.redis;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.embedded.RedisSentinel;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * A real Redis Sentinel setup (the 6.2 binary the tests use): a master, two replicas of it, and three
 * sentinels that watch it (quorum 2, a master is down after 1 s without an answer). Two replicas, so
 * that the master a failover makes still has one, as Tether asks behind Sentinel. Never a mock: if a
 * process cannot start, the test fails.
 */
final class RealSentinels implements AutoCloseable {
    static final String MASTER = "tether-main";
    /** The three data servers; which of them is the master changes with every failover. */
    final List<RealRedis> servers = new ArrayList<>();
    private final List<RedisSentinel> sentinels = new ArrayList<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();
    /**
     * What the sentinels announce (+switch-master, -failover-abort-…, +sdown…), heard on their own
     * channels: their log cannot be kept (the embedded launcher waits for its lines on standard output),
     * and a failover that never completes must say why.
     */
    private final java.util.concurrent.ConcurrentLinkedDeque<String> events = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final List<redis.clients.jedis.JedisPubSub> listeners = new ArrayList<>();

    static RealSentinels start() throws Exception {
        return start(null);
    }

    /** @param binary the data servers' redis-server if not the tests' own (e.g. {@link RealRedis#SYSTEM_BINARY}), or null */
    static RealSentinels start(String binary) throws Exception {
        var s = new RealSentinels();
        try {
            var master = binary == null ? RealRedis.start() : RealRedis.startBinary(binary);
            s.servers.add(master);
            for (int i = 0; i < 2; i++) {
                var replica = binary == null ? RealRedis.start("replicaof 127.0.0.1 " + master.port)
                        : RealRedis.startBinary(binary, "replicaof 127.0.0.1 " + master.port);
                s.servers.add(replica);
                await().atMost(Duration.ofSeconds(30)).until(() -> linkUp(replica));
            }
            for (int i = 0; i < 3; i++) {
                int port = freePort();
                var sentinel = RedisSentinel.newRedisSentinel().executableProvider(RedisBinary.linkedIn(RedisBinary.newFolder(port), null)).bind("127.0.0.1").port(port).masterName(MASTER)
                        .masterPort(master.port).quorumSize(2).downAfterMilliseconds(1_000).failOverTimeout(5_000).parallelSyncs(1)
                        .build();
                sentinel.start();
                s.sentinels.add(sentinel);
                s.sentinelPorts.add(port);
                s.listen(port);
            }
            // every sentinel knows the replica and the other sentinels: only then can they agree on a failover
            await().atMost(Duration.ofSeconds(30)).until(() -> s.sentinelPorts.stream().allMatch(p -> s.ask(p, "replicas") >= 2
                    && s.ask(p, "sentinels") >= 2));
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    /** The address Tether is given: every sentinel, and the master's name. */
    String uri() {
        return "redis-sentinel://" + String.join(",", sentinelPorts.stream().map(p -> "127.0.0.1:" + p).toList()) + "?master=" + MASTER;
    }

    /** The data server the sentinels name as master now. */
    RealRedis master() {
        var port = masterAddress().getPort();
        return servers.stream().filter(r -> r.port == port).findFirst().orElseThrow();
    }

    HostAndPort masterAddress() {
        try (var j = sentinel(sentinelPorts.getFirst())) {
            var a = j.sentinelGetMasterAddrByName(MASTER);
            return new HostAndPort(a.get(0), Integer.parseInt(a.get(1)));
        }
    }

    /** A failover the sentinels carry out now, with the master still up (the operator's SENTINEL FAILOVER). */
    void failover() {
        try (var j = sentinel(sentinelPorts.getFirst())) {
            j.sentinelFailover(MASTER);
        }
    }

    /**
     * Whether every server that is not the master now replicates from it, with its link up, and every
     * sentinel has seen it do so. A sentinel reads a replica's role only every 10 s: one that last saw
     * the old master still calling itself master turns it back into a replica when it next looks, and
     * if an operator's failover has just promoted that server, the failover is undone and aborted.
     */
    boolean replicating() {
        var m = master();
        var replicas = servers.stream().filter(r -> r != m).toList();
        return replicas.stream().allMatch(r -> {
            try (var c = r.admin()) {
                var info = c.info("replication");
                return info.contains("role:slave") && info.contains("master_port:" + m.port) && info.contains("master_link_status:up");
            } catch (RuntimeException e) {
                return false;
            }
        }) && sentinelPorts.stream().allMatch(p -> sentinelSeesReplicating(p, m, replicas));
    }

    private static boolean sentinelSeesReplicating(int port, RealRedis master, List<RealRedis> replicas) {
        try (var j = sentinel(port)) {
            var a = j.sentinelGetMasterAddrByName(MASTER);
            if (Integer.parseInt(a.get(1)) != master.port) return false;
            var seen = j.sentinelReplicas(MASTER);
            return replicas.stream().allMatch(r -> seen.stream().anyMatch(s -> String.valueOf(r.port).equals(s.get("port"))
                    && "slave".equals(s.get("flags")) && "slave".equals(s.get("role-reported"))
                    && String.valueOf(master.port).equals(s.get("master-port")) && "ok".equals(s.get("master-link-status"))));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void listen(int port) {
        var pubsub = new redis.clients.jedis.JedisPubSub() {
            @Override
            public void onPMessage(String pattern, String channel, String message) {
                events.addLast(java.time.LocalTime.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS) + " " + port + " " + channel + " " + message);
                if (events.size() > 500) events.pollFirst();
            }
        };
        listeners.add(pubsub);
        Thread.ofPlatform().daemon().name("sentinel-events-" + port).start(() -> {
            try (var j = new Jedis(new HostAndPort("127.0.0.1", port),
                    DefaultJedisClientConfig.builder().connectionTimeoutMillis(5_000).socketTimeoutMillis(0).build())) {
                j.psubscribe(pubsub, "*"); // no read timeout: sentinels may say nothing for minutes
            } catch (RuntimeException e) { // the sentinel stopped: nothing more to hear
            }
        });
    }

    /** What the sentinels announced, oldest first (the last 500), for a failure message. */
    String events() {
        return "\nwhat the sentinels announced:\n" + String.join("\n", events);
    }

    private int ask(int port, String what) {
        try (var j = sentinel(port)) {
            return what.equals("replicas") ? j.sentinelReplicas(MASTER).size() : j.sentinelSentinels(MASTER).size();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static Jedis sentinel(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder().timeoutMillis(5_000).build());
    }

    private static boolean linkUp(RealRedis replica) {
        try (var c = replica.admin()) {
            return c.info("replication").contains("master_link_status:up");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        for (var l : listeners) {
            try {
                if (l.isSubscribed()) l.punsubscribe();
            } catch (RuntimeException e) { // its connection is gone already
            }
        }
        for (var s : sentinels) {
            if (s.isActive()) s.stop();
        }
        for (var r : servers) r.close();
    }
}
