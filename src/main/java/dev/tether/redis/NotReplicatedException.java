package dev.tether.redis;

/**
 * A write others rely on (a submit, a claim, a cancel request) reached fewer replicas than asked
 * within {@link RedisSettings#REPLICA_WAIT}: a failover now could lose it. A claim is tried again
 * (the run does not start until one is confirmed); a command reports it, since the write may or may
 * not survive.
 */
public final class NotReplicatedException extends RedisUnavailableException {
    NotReplicatedException(String what, long reached, int asked) {
        super("Redis did not confirm " + what + " on " + asked + (asked == 1 ? " replica" : " replicas") + " within "
                + RedisSettings.REPLICA_WAIT.toMillis() + " ms (" + reached + " confirmed; a failover under way?): it may or may not"
                + " have been kept", null);
    }
}
