package dev.tether.redis;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where Redis is: {@code redis://[user[:password]@]host[:port][/db]}, or {@code rediss://} for TLS
 * (verified against the JVM trust store or the CA file in {@value TlsTrust#ENV}, hostname included);
 * or, for a master watched by Redis Sentinel, {@code redis-sentinel://[user[:password]@]host[:port][,host[:port]...][/db]?master=NAME}
 * ({@code rediss-sentinel://} with TLS): the sentinels (port 26379 unless given) are asked where the
 * master is, and asked again after every failover. The user and password are the master's; sentinels
 * are asked without credentials. Or, for a Redis Cluster, {@code redis-cluster://[user[:password]@]host[:port][,host[:port]...]}
 * ({@code rediss-cluster://} with TLS): any of its nodes, the others are discovered; every key of the
 * prefix then carries the prefix as its hash tag ({@code {tether}:run:...}), so that they all share one
 * slot and every script and transaction of the protocol stays on one node. The password never leaves
 * this object: {@link #toString()} and {@link #display()} omit it.
 */
public final class RedisSettings {
    public static final String ENV = "TETHER_REDIS_URL";

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final int database;
    private final boolean tls;
    private final TlsTrust trust;
    private final String prefix;
    /** The sentinels to ask where the master is, or null for a plain address. */
    private final List<HostAndPort> sentinels;
    /** The cluster nodes to start from (the others are discovered), or null outside a cluster. */
    private final List<HostAndPort> clusterNodes;
    /** The master's name among the sentinels (null without sentinels). */
    private final String master;
    /**
     * How many replicas a write that others rely on (a submit, a claim, a cancel request) must reach
     * before it counts; {@value #ALL}: every replica the sentinels see healthy.
     */
    private final int replicas;
    static final int ALL = -1;
    /** Made once per address, so that every client of a process shares one answer of the sentinels. */
    private volatile ReplicaTarget replicaTarget;

    /** How long such a write waits for its replicas before it is failed (and retried, or reported). */
    static final java.time.Duration REPLICA_WAIT = java.time.Duration.ofSeconds(1);
    static final int SENTINEL_PORT = 26379;

    /** Names the key prefix, so that several Tether installations can share one Redis. */
    public static final String PREFIX_ENV = "TETHER_REDIS_PREFIX";
    static final String DEFAULT_PREFIX = "tether";

    private RedisSettings(String host, int port, String user, String password, int database, boolean tls, TlsTrust trust,
                          String prefix, List<HostAndPort> sentinels, List<HostAndPort> clusterNodes, String master, int replicas) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.database = database;
        this.tls = tls;
        this.trust = trust;
        this.prefix = prefix;
        this.sentinels = sentinels;
        this.clusterNodes = clusterNodes;
        this.master = master;
        this.replicas = replicas;
    }

    /** The same address, trusting the CA certificates of this PEM file for {@code rediss://}. */
    public RedisSettings trustingCa(Path caFile) {
        return withTrust(TlsTrust.fromPem(caFile));
    }

    private RedisSettings withTrust(TlsTrust trust) {
        return new RedisSettings(host, port, user, password, database, tls, trust, prefix, sentinels, clusterNodes, master, replicas);
    }

    /** The same address with another key prefix (letters, digits, {@code _ . -}; at most 64 characters). */
    public RedisSettings withPrefix(String prefix) {
        return new RedisSettings(host, port, user, password, database, tls, trust, validPrefix(prefix), sentinels, clusterNodes, master, replicas);
    }

    private static String validPrefix(String prefix) {
        if (!dev.tether.engine.Names.isValid(prefix)) {
            throw new IllegalArgumentException("Redis key prefix must be 1-64 letters, digits, '_', '.' or '-', got '"
                    + (prefix == null ? "" : prefix.replaceAll("\\p{Cntrl}", "?")) + "'");
        }
        return prefix;
    }

    /** The key layout under this prefix. */
    Keys keys() {
        return clusterNodes != null ? Keys.hashTagged(prefix) : new Keys(prefix);
    }

    public String prefix() {
        return prefix;
    }

    /** @throws IllegalArgumentException with a one-line reason that never contains the password */
    public static RedisSettings parse(String uri) {
        if (uri == null || uri.isBlank()) throw new IllegalArgumentException("Redis URI is empty");
        URI u;
        try {
            u = URI.create(uri.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Redis URI is malformed (expected redis://[user:password@]host[:port][/db])");
        }
        var scheme = u.getScheme() == null ? "" : u.getScheme();
        boolean sentinel = scheme.equals("redis-sentinel") || scheme.equals("rediss-sentinel");
        boolean cluster = scheme.equals("redis-cluster") || scheme.equals("rediss-cluster");
        if (!"redis".equals(scheme) && !"rediss".equals(scheme) && !sentinel && !cluster) {
            throw new IllegalArgumentException("Redis URI must start with redis://, rediss://, redis-sentinel://, rediss-sentinel://, redis-cluster:// or rediss-cluster://");
        }
        List<HostAndPort> sentinels = sentinel ? hosts(u.getRawAuthority(), "sentinel", SENTINEL_PORT) : null;
        List<HostAndPort> clusterNodes = cluster ? hosts(u.getRawAuthority(), "cluster node", 6379) : null;
        if (!sentinel && !cluster && u.getHost() == null) throw new IllegalArgumentException("Redis URI has no host");
        String user = null, password = null;
        var authority = u.getRawAuthority();
        // several hosts make no server authority for java.net.URI: its user part is then read here
        var info = !sentinel && !cluster ? u.getRawUserInfo()
                : authority != null && authority.lastIndexOf('@') >= 0 ? authority.substring(0, authority.lastIndexOf('@')) : null;
        if (info != null && !info.isEmpty()) {
            int colon = info.indexOf(':');
            if (colon < 0) password = decode(info); // redis://secret@host: a password only, as redis-cli reads it
            else {
                user = colon == 0 ? null : decode(info.substring(0, colon));
                password = decode(info.substring(colon + 1));
            }
        }
        int db = 0;
        var path = u.getPath();
        if (path != null && path.length() > 1) {
            try {
                db = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Redis URI database must be a number, got '" + path.substring(1) + "'");
            }
            if (cluster && db != 0) throw new IllegalArgumentException("Redis URI database must be 0 in a cluster (a cluster has no other)");
        }
        var prefix = DEFAULT_PREFIX;
        String master = null;
        Integer replicas = null;
        var query = u.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (var pair : query.split("&")) {
                int eq = pair.indexOf('=');
                var name = eq < 0 ? pair : pair.substring(0, eq);
                var value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                switch (name) {
                    case "prefix" -> prefix = validPrefix(value);
                    case "master" -> {
                        if (!sentinel) throw new IllegalArgumentException("Redis URI option 'master' needs redis-sentinel:// (or rediss-sentinel://)");
                        if (!dev.tether.engine.Names.isValid(value)) {
                            throw new IllegalArgumentException("Redis URI master name must be 1-64 letters, digits, '_', '.' or '-'");
                        }
                        master = value;
                    }
                    case "replicas" -> replicas = replicaCount(value, sentinel);
                    default -> throw new IllegalArgumentException("Redis URI option '" + name.replaceAll("\\p{Cntrl}", "?")
                            + "' is unknown (known: prefix, master, replicas)");
                }
            }
        }
        if (sentinel && master == null) throw new IllegalArgumentException("Redis URI needs the master's name: redis-sentinel://...?master=NAME");
        boolean tls = "rediss".equals(scheme) || "rediss-sentinel".equals(scheme) || "rediss-cluster".equals(scheme);
        // Behind Sentinel a failover promotes a replica: what it has not received is lost, so writes others rely on wait for the replicas.
        int wait = replicas != null ? replicas : sentinel ? ALL : 0;
        if (sentinel) {
            return new RedisSettings(null, 0, user, password, db, tls, TlsTrust.jvmDefault(), prefix, List.copyOf(sentinels), null, master, wait);
        }
        if (cluster) {
            return new RedisSettings(null, 0, user, password, 0, tls, TlsTrust.jvmDefault(), prefix, null, List.copyOf(clusterNodes), null, wait);
        }
        return new RedisSettings(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort(), user, password, db, tls,
                TlsTrust.jvmDefault(), prefix, null, null, null, wait);
    }

    /** {@code host[:port],host[:port]...} after the user part: the sentinels, or the cluster nodes to start from. */
    private static List<HostAndPort> hosts(String authority, String what, int defaultPort) {
        if (authority == null || authority.isEmpty()) throw new IllegalArgumentException("Redis URI names no " + what);
        var hosts = authority.substring(authority.lastIndexOf('@') + 1);
        var out = new ArrayList<HostAndPort>();
        for (var h : hosts.split(",")) {
            if (h.isBlank()) throw new IllegalArgumentException("Redis URI has an empty " + what + " address");
            int colon = h.lastIndexOf(':');
            int port = defaultPort;
            var name = h;
            if (colon >= 0) {
                name = h.substring(0, colon);
                try {
                    port = Integer.parseInt(h.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (port < 1 || port > 65535) throw new IllegalArgumentException("Redis URI " + what + " port must be 1-65535");
            }
            if (name.isEmpty()) throw new IllegalArgumentException("Redis URI has a " + what + " without a host");
            out.add(new HostAndPort(name, port));
        }
        return out;
    }

    private static int replicaCount(String value, boolean sentinel) {
        if (value.equals("all")) {
            if (!sentinel) throw new IllegalArgumentException("Redis URI option 'replicas=all' needs redis-sentinel:// (the sentinels say how many there are)");
            return ALL;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 0 && n <= 16) return n;
        } catch (NumberFormatException ignored) {
        }
        throw new IllegalArgumentException("Redis URI option 'replicas' must be a number from 0 to 16, or 'all'");
    }

    /** {@code --redis} if given, else {@value #ENV}, else null (embedded mode); TLS trusts {@value TlsTrust#ENV} if set. */
    public static RedisSettings fromOptionOrEnv(String option) {
        var value = option != null && !option.isBlank() ? option : System.getenv(ENV);
        if (value == null || value.isBlank()) return null;
        var s = parse(value);
        var envPrefix = System.getenv(PREFIX_ENV);
        if (envPrefix != null && !envPrefix.isBlank() && !value.contains("prefix=")) s = s.withPrefix(envPrefix.trim());
        return s.tls ? s.withTrust(TlsTrust.fromEnv()) : s;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    JedisClientConfig clientConfig(String clientName) {
        return configBuilder(clientName).build();
    }

    @SuppressWarnings("deprecation") // SslOptions reads trust only from key-store files; a PEM CA needs its own factory
    private DefaultJedisClientConfig.Builder configBuilder(String clientName) {
        // A blocking read (XREADGROUP BLOCK) on a hung server must fail too, not wait forever (Jedis waits forever by default).
        var b = DefaultJedisClientConfig.builder().database(database).ssl(tls).timeoutMillis(5_000).blockingSocketTimeoutMillis(10_000)
                .clientName(clientName.replaceAll("[^A-Za-z0-9_.:-]", "_"));
        if (tls) b.sslSocketFactory(trust.socketFactory());
        if (user != null) b.user(user);
        if (password != null) b.password(password);
        return b;
    }

    /** The longest a command waits for a free pooled connection before failing (and being retried). */
    static final java.time.Duration POOL_WAIT = java.time.Duration.ofSeconds(5);

    /**
     * A pooled client. No connection is checked with a PING before use: a caller that must not lose a
     * turn to a connection that died while idle (the heartbeat) replaces a broken one at once and tries
     * again. A PING would cost a round trip per use, and Redis 6.2 refuses even PING while it cannot save
     * (MISCONF): the pool would then drop every connection as dead, and a refusal would pass for lost
     * contact.
     */
    UnifiedJedis client(String clientName, int maxConnections) {
        var pool = new redis.clients.jedis.ConnectionPoolConfig();
        pool.setMaxTotal(maxConnections);
        pool.setMaxIdle(maxConnections);
        pool.setMinIdle(0);
        pool.setTestOnBorrow(false);
        // Never wait forever for a pooled connection: a connection lost to a killed socket must cost a
        // retry (every caller retries Redis errors), not a thread parked for good.
        pool.setMaxWait(POOL_WAIT);
        // No JMX: registering a pool starts the platform MBean server, about 120 ms of every one-shot command.
        pool.setJmxEnabled(false);
        if (clusterNodes != null) {
            // Jedis learns the slots from any node and follows MOVED. Two attempts, no sleeping between them: a
            // command to a master that died fails fast (and the layout is read again) into the caller's own
            // retry, as on a single Redis, instead of blocking a heartbeat for seconds. The layout is also read
            // every 2 s: a pipeline does not follow MOVED, and a failover must not wait for a command that does.
            try {
                return redis.clients.jedis.RedisClusterClient.builder().nodes(new java.util.LinkedHashSet<>(clusterNodes))
                        .clientConfig(clientConfig(clientName)).poolConfig(pool).maxAttempts(2).maxTotalRetriesDuration(java.time.Duration.ofSeconds(1))
                        .topologyRefreshPeriod(java.time.Duration.ofSeconds(2)).build();
            } catch (redis.clients.jedis.exceptions.JedisException e) { // it reads the layout as it starts: no node answered
                throw RedisUnavailableException.of(this, e);
            }
        }
        if (sentinels != null) {
            // Jedis follows the master: it asks the sentinels, and listens to them for every switch
            return RedisSentinelClient.builder().masterName(master).sentinels(new java.util.LinkedHashSet<>(sentinels))
                    .clientConfig(clientConfig(clientName)).sentinelClientConfig(sentinelConfig(clientName)).poolConfig(pool).build();
        }
        return RedisClient.builder().hostAndPort(new HostAndPort(host, port)).clientConfig(clientConfig(clientName)).poolConfig(pool).build();
    }

    /**
     * How sentinels are asked: the same TLS, no credentials and no database (a sentinel has neither).
     * No limit on a subscription's silence: Jedis listens to each sentinel for master switches, which
     * are rare, and would drop (and for 5 s miss) a subscription that timed out.
     */
    @SuppressWarnings("deprecation") // as configBuilder
    private JedisClientConfig sentinelConfig(String clientName) {
        var b = DefaultJedisClientConfig.builder().ssl(tls).timeoutMillis(5_000).protocol(redis.clients.jedis.RedisProtocol.RESP2)
                .clientName(clientName.replaceAll("[^A-Za-z0-9_.:-]", "_") + "-sentinel");
        if (tls) b.sslSocketFactory(trust.socketFactory());
        return b.build();
    }

    /**
     * A client's first call: Redis answers, and is what the address says it is. A cluster node given
     * as {@code redis://} would answer only for the keys of its own slots, and a prefix's keys are
     * spread over all of them without their hash tag.
     *
     * @throws RedisUnavailableException with a one-line reason
     */
    void reach(UnifiedJedis redis) {
        boolean clusterNode;
        try {
            if (clusterNodes != null) {
                redis.ping();
                return;
            }
            clusterNode = redis.info("cluster").contains("cluster_enabled:1");
        } catch (RuntimeException e) {
            throw RedisUnavailableException.of(this, e);
        }
        if (clusterNode) {
            throw new RedisUnavailableException("cannot use Redis at " + display() + ": it is a cluster node (use redis-cluster:// for it)", null);
        }
    }

    /** A connection of its own, outside every pool: a subscription holds its connection in a mode no other command may share. */
    redis.clients.jedis.Jedis dedicated(String clientName) {
        // RESP2 stated, not negotiated: a plain connection cannot negotiate RESP3 and would warn on every reconnect
        var config = configBuilder(clientName).protocol(redis.clients.jedis.RedisProtocol.RESP2).build();
        if (clusterNodes == null) return new redis.clients.jedis.Jedis(master(), config);
        // A cluster passes every PUBLISH to every node, so a subscription may listen on any node; on the
        // master of the prefix's slot (where the scripts publish) a message skips the hop over the cluster bus.
        RuntimeException last = null;
        for (var node : clusterNodes) {
            redis.clients.jedis.Jedis jedis = null;
            try {
                jedis = new redis.clients.jedis.Jedis(node, config); // connects here: a node that does not answer throws
                String layout;
                try {
                    layout = jedis.clusterNodes();
                } catch (redis.clients.jedis.exceptions.JedisDataException refused) { // a user without CLUSTER NODES: listen here
                    return jedis;
                }
                var home = masterOf(keys().slot(), layout);
                return home == null || home.equals(node) ? jedis : atHomeElse(home, config, jedis);
            } catch (RuntimeException e) {
                if (jedis != null) jedis.close();
                last = e;
            }
        }
        throw new redis.clients.jedis.exceptions.JedisConnectionException("no node of " + display() + " answered", last);
    }

    /** A connection to {@code home} (closing {@code reached}), or {@code reached} when home does not answer from here: any node will do. */
    private static redis.clients.jedis.Jedis atHomeElse(HostAndPort home, redis.clients.jedis.JedisClientConfig config,
                                                        redis.clients.jedis.Jedis reached) {
        redis.clients.jedis.Jedis atHome = null;
        try {
            atHome = new redis.clients.jedis.Jedis(home, config); // connects here
            atHome.ping();
            reached.close();
            return atHome;
        } catch (RuntimeException e) {
            if (atHome != null) atHome.close();
            return reached;
        }
    }

    /** The master serving {@code slot} in a {@code CLUSTER NODES} answer, or null if none does now. */
    static HostAndPort masterOf(int slot, String clusterNodes) {
        for (var line : clusterNodes.split("\n")) {
            var f = line.trim().split(" ");
            if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) continue;
            for (int i = 8; i < f.length; i++) {
                if (f[i].startsWith("[")) continue; // a slot being migrated or imported
                var range = f[i].split("-");
                if (slot >= Integer.parseInt(range[0]) && slot <= Integer.parseInt(range[range.length - 1])) {
                    return address(f);
                }
            }
        }
        return null;
    }

    /** The address of a {@code CLUSTER NODES} line's node, its fields split at spaces ({@code host:port@busport[,hostname]}). */
    private static HostAndPort address(String[] fields) {
        return HostAndPort.from(fields[1].split("[@,]")[0]);
    }

    /**
     * Where the master is now: the address itself, or what the first sentinel that answers says (asked
     * again for every new connection, so a subscription that reconnects after a failover follows it).
     */
    HostAndPort master() {
        if (sentinels == null) return new HostAndPort(host, port);
        RuntimeException last = null;
        for (var s : sentinels) {
            try (var j = new redis.clients.jedis.Jedis(s, sentinelConfig("tether-sentinel-query"))) {
                var address = j.sentinelGetMasterAddrByName(master);
                if (address != null && address.size() == 2) return new HostAndPort(address.get(0), Integer.parseInt(address.get(1)));
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new redis.clients.jedis.exceptions.JedisConnectionException("no sentinel of " + display() + " answered where master '"
                + master + "' is", last);
    }

    /**
     * The servers besides the one {@code redis} writes to that may become it: the replicas the
     * sentinels know, or every other node of the cluster; none for a plain address.
     */
    List<HostAndPort> otherNodes(UnifiedJedis redis) {
        if (redis instanceof redis.clients.jedis.RedisClusterClient cluster) {
            // asked of the cluster: the client's own map of it may hold the masters only (it does against Redis 7)
            RuntimeException last = null;
            for (var pool : cluster.getClusterNodes().values()) {
                try (var j = new redis.clients.jedis.Jedis(pool.getResource())) {
                    return j.clusterNodes().lines().map(line -> line.split(" ")).filter(f -> f.length > 2 && !f[2].contains("fail")
                            && !f[2].contains("noaddr") && !f[2].contains("handshake")).map(RedisSettings::address).toList();
                } catch (RuntimeException e) {
                    last = e;
                }
            }
            throw new redis.clients.jedis.exceptions.JedisConnectionException("no node of " + display() + " said which nodes it has", last);
        }
        if (sentinels == null) return List.of();
        RuntimeException last = null;
        for (var s : sentinels) {
            try (var j = new redis.clients.jedis.Jedis(s, sentinelConfig("tether-sentinel-query"))) {
                return j.sentinelReplicas(master).stream()
                        .map(r -> new HostAndPort(String.valueOf(r.get("ip")), Integer.parseInt(String.valueOf(r.get("port"))))).toList();
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new redis.clients.jedis.exceptions.JedisConnectionException("no sentinel of " + display() + " answered which replicas master '"
                + master + "' has", last);
    }

    /** How many replicas a submit, a claim or a cancel request must reach before it counts: 0 none, {@value #ALL} all healthy ones. */
    int replicas() {
        return replicas;
    }

    /** {@link #replicas()} as the writes ask it, shared by every client made from this address. */
    ReplicaTarget replicaTarget() {
        var t = replicaTarget;
        if (t == null) {
            synchronized (this) {
                if (replicaTarget == null) replicaTarget = replicas == ALL ? ReplicaTarget.allHealthy(this::healthyReplicas) : ReplicaTarget.fixed(replicas);
                t = replicaTarget;
            }
        }
        return t;
    }

    /**
     * The replicas of the master that the first sentinel to answer does not hold down. A replica whose
     * link from the sentinel is only "disconnected" counts: right after a failover the sentinels list
     * the new master's replicas (the old master among them) as disconnected until their links are up,
     * and counting none then let a claim on the old master, still taking writes, start a run with no
     * replica to confirm it, which the new master never got (the run ran twice). A replica that is
     * really gone is held down after {@code down-after-milliseconds}.
     */
    int healthyReplicas() {
        RuntimeException last = null;
        for (var s : sentinels) {
            try (var j = new redis.clients.jedis.Jedis(s, sentinelConfig("tether-sentinel-query"))) {
                int n = 0;
                for (var r : j.sentinelReplicas(master)) {
                    var flags = java.util.Set.of(String.valueOf(r.get("flags")).split(","));
                    if (!flags.contains("s_down") && !flags.contains("o_down")) n++;
                }
                return n;
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw new redis.clients.jedis.exceptions.JedisConnectionException("no sentinel of " + display() + " answered how many replicas master '"
                + master + "' has", last);
    }

    /** The address as people may see it: scheme, user, host, port, database; never the password. */
    public String display() {
        var options = new ArrayList<String>();
        if (sentinels != null) options.add("master=" + master);
        if (!DEFAULT_PREFIX.equals(prefix)) options.add("prefix=" + prefix);
        if (replicas != (sentinels != null ? ALL : 0)) options.add("replicas=" + (replicas == ALL ? "all" : Integer.toString(replicas)));
        var hosts = sentinels != null ? sentinels : clusterNodes;
        var where = hosts == null ? host + ":" + port : String.join(",", hosts.stream().map(h -> h.getHost() + ":" + h.getPort()).toList());
        var scheme = (tls ? "rediss" : "redis") + (sentinels != null ? "-sentinel" : clusterNodes != null ? "-cluster" : "");
        return scheme + "://" + (user != null ? user + "@" : "") + where + (database != 0 ? "/" + database : "")
                + (options.isEmpty() ? "" : "?" + String.join("&", options));
    }

    @Override
    public String toString() {
        return display();
    }

    /** The address's host (behind Sentinel: the first sentinel's), for messages. */
    String host() {
        return host != null ? host : (sentinels != null ? sentinels : clusterNodes).getFirst().getHost();
    }

    int port() {
        return host != null ? port : (sentinels != null ? sentinels : clusterNodes).getFirst().getPort();
    }

    boolean tls() {
        return tls;
    }

    boolean customCa() {
        return trust.customCa();
    }
}
