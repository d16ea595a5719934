package dev.tether.redis;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Where Redis is: {@code redis://[user[:password]@]host[:port][/db]}, or {@code rediss://} for TLS
 * (verified against the JVM trust store or the CA file in {@value TlsTrust#ENV}, hostname included).
 * The password never leaves this object: {@link #toString()} and {@link #display()} omit it.
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

    /** Names the key prefix, so that several Tether installations can share one Redis. */
    public static final String PREFIX_ENV = "TETHER_REDIS_PREFIX";
    static final String DEFAULT_PREFIX = "tether";

    private RedisSettings(String host, int port, String user, String password, int database, boolean tls, TlsTrust trust,
                          String prefix) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.database = database;
        this.tls = tls;
        this.trust = trust;
        this.prefix = prefix;
    }

    /** The same address, trusting the CA certificates of this PEM file for {@code rediss://}. */
    public RedisSettings trustingCa(Path caFile) {
        return withTrust(TlsTrust.fromPem(caFile));
    }

    private RedisSettings withTrust(TlsTrust trust) {
        return new RedisSettings(host, port, user, password, database, tls, trust, prefix);
    }

    /** The same address with another key prefix (letters, digits, {@code _ . -}; at most 64 characters). */
    public RedisSettings withPrefix(String prefix) {
        return new RedisSettings(host, port, user, password, database, tls, trust, validPrefix(prefix));
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
        return new Keys(prefix);
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
        var scheme = u.getScheme();
        if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
            throw new IllegalArgumentException("Redis URI must start with redis:// or rediss://");
        }
        if (u.getHost() == null) throw new IllegalArgumentException("Redis URI has no host");
        String user = null, password = null;
        var info = u.getRawUserInfo();
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
        }
        var prefix = DEFAULT_PREFIX;
        var query = u.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (var pair : query.split("&")) {
                int eq = pair.indexOf('=');
                var name = eq < 0 ? pair : pair.substring(0, eq);
                if (!"prefix".equals(name)) throw new IllegalArgumentException("Redis URI option '" + name + "' is unknown (known: prefix)");
                prefix = validPrefix(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return new RedisSettings(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort(), user, password, db, "rediss".equals(scheme),
                TlsTrust.jvmDefault(), prefix);
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

    RedisClient client(String clientName, int maxConnections) {
        return client(clientName, maxConnections, false);
    }

    /**
     * @param testOnBorrow check a connection with a PING before each use: for a caller that must not
     *                     lose a turn to a connection that died while idle (the heartbeat)
     */
    RedisClient client(String clientName, int maxConnections, boolean testOnBorrow) {
        var pool = new redis.clients.jedis.ConnectionPoolConfig();
        pool.setMaxTotal(maxConnections);
        pool.setMaxIdle(maxConnections);
        pool.setMinIdle(0);
        pool.setTestOnBorrow(testOnBorrow);
        // Never wait forever for a pooled connection: a connection lost to a killed socket must cost a
        // retry (every caller retries Redis errors), not a thread parked for good.
        pool.setMaxWait(POOL_WAIT);
        // No JMX: registering a pool starts the platform MBean server, about 120 ms of every one-shot command.
        pool.setJmxEnabled(false);
        return RedisClient.builder().hostAndPort(new HostAndPort(host, port)).clientConfig(clientConfig(clientName))
                .poolConfig(pool).build();
    }

    /** A connection of its own, outside every pool: a subscription holds its connection in a mode no other command may share. */
    redis.clients.jedis.Jedis dedicated(String clientName) {
        // RESP2 stated, not negotiated: a plain connection cannot negotiate RESP3 and would warn on every reconnect
        var b = configBuilder(clientName).protocol(redis.clients.jedis.RedisProtocol.RESP2);
        return new redis.clients.jedis.Jedis(new HostAndPort(host, port), b.build());
    }

    /** The address as people may see it: scheme, user, host, port, database; never the password. */
    public String display() {
        return (tls ? "rediss://" : "redis://") + (user != null ? user + "@" : "") + host + ":" + port + (database != 0 ? "/" + database : "")
                + (DEFAULT_PREFIX.equals(prefix) ? "" : "?prefix=" + prefix);
    }

    @Override
    public String toString() {
        return display();
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    boolean tls() {
        return tls;
    }

    boolean customCa() {
        return trust.customCa();
    }
}
