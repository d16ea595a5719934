package dev.tether.redis;

import org.apache.commons.pool2.PooledObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Jedis's connection factory, with one difference in how a pooled connection is checked: it is alive
 * when it answers, whatever it answers. Redis 6.2 refuses even PING while it cannot save to its disk
 * (MISCONF); Jedis then drops the connection as dead and the caller gets "no connection from the pool",
 * so a worker whose writes are refused looked cut off, and its log held a stack trace per check. Here
 * the connection is kept and the command's own refusal reaches the caller, which names it.
 * (No credentials provider that renews tokens is used here, so nothing needs re-authenticating first.)
 */
final class AnsweringConnectionFactory extends ConnectionFactory {
    AnsweringConnectionFactory(HostAndPort address, JedisClientConfig config) {
        super(address, config);
    }

    @Override
    public boolean validateObject(PooledObject<Connection> pooled) {
        var connection = pooled.getObject();
        if (!connection.isConnected()) return false;
        try {
            return connection.ping();
        } catch (JedisDataException refused) { // it answered: the connection works, the server refuses
            return !connection.isBroken();
        } catch (RuntimeException e) { // no answer: replaced by a new one, as Jedis would
            return false;
        }
    }
}
