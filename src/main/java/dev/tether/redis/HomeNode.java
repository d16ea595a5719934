package dev.tether.redis;

import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one server that holds a key: what a transaction, a {@code WAIT} after a write, or a question
 * about the server itself must be sent to. On a single Redis (or behind Sentinel) that is the server;
 * in a cluster, the master of the key's slot, where a cluster client would not go by itself (it
 * refuses transactions, and sends keyless commands such as {@code INFO} to any node).
 *
 * <p>In a cluster the slot's master can change (a failover): the node asked then refuses the keys
 * ({@code MOVED}) and runs nothing of what it refused. That is reported as a lost connection, after
 * the client has learnt the new layout, so that every caller's retry for a lost connection sends the
 * same work to the new master.
 */
final class HomeNode {
    private HomeNode() {}

    /** {@code work} on a pipeline of one connection to the server holding {@code key}; {@code work} syncs it. */
    static <T> T pipelined(UnifiedJedis redis, String key, Function<Pipeline, T> work) {
        if (!(redis instanceof RedisClusterClient cluster)) {
            try (var pipe = redis.pipelined()) {
                if (!(pipe instanceof Pipeline one)) throw new IllegalStateException("no single-connection pipeline");
                return work.apply(one);
            }
        }
        int slot = JedisClusterCRC16.getSlot(key);
        try (var connection = cluster.getConnectionFromSlot(slot)) {
            return moved(cluster, connection, slot, () -> work.apply(new Pipeline(connection, false)));
        }
    }

    /** {@code MULTI}, what {@code work} queues, {@code EXEC}, on the server holding {@code key}; every key must share its slot. */
    static void transaction(UnifiedJedis redis, String key, Consumer<AbstractTransaction> work) {
        if (!(redis instanceof RedisClusterClient cluster)) {
            try (var tx = redis.multi()) {
                work.accept(tx);
                tx.exec();
            }
            return;
        }
        int slot = JedisClusterCRC16.getSlot(key);
        try (Connection connection = cluster.getConnectionFromSlot(slot)) {
            moved(cluster, connection, slot, () -> {
                var tx = new redis.clients.jedis.Transaction(connection, true, false);
                work.accept(tx);
                return tx.exec();
            });
        }
    }

    /** {@code INFO section} of the server holding {@code key}. */
    static String info(UnifiedJedis redis, String key, String section) {
        if (!(redis instanceof RedisClusterClient cluster)) return redis.info(section);
        int slot = JedisClusterCRC16.getSlot(key);
        try (var jedis = new Jedis(cluster.getConnectionFromSlot(slot))) {
            return jedis.info(section);
        }
    }

    private static <T> T moved(RedisClusterClient cluster, Connection connection, int slot, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            // it may have left replies unread or a MULTI open: the pool must not lend it again
            connection.setBroken();
            if (!(e instanceof JedisDataException)) throw e;
            // a transaction whose commands a node refused fails as a whole (EXECABORT), nothing of it run
            if (!(e instanceof JedisRedirectionException) && !String.valueOf(e.getMessage()).startsWith("EXECABORT")) throw e;
            cluster.refreshClusterTopology();
            throw new JedisConnectionException("slot " + slot + " has another master now (" + e.getMessage() + ")", e);
        }
    }
}
