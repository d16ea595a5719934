package dev.tether.engine.process;

import dev.tether.engine.CheckpointCodec;
import dev.tether.engine.EncodedCheckpoint;
import org.bsc.langgraph4j.checkpoint.Checkpoint;

import java.util.Base64;

/**
 * A checkpoint on the channel between a child JVM and its parent: the child's node states reach the
 * parent's store this way, and a resume's starting checkpoint reaches the child. The state stays in
 * its encoded form on the way: the parent checks its size and checksum ({@link #encoded()}) and keeps
 * the bytes; only the child, which runs the graph anyway, decodes a Java-serialised state.
 */
public record WireCheckpoint(String id, String node, String next, CheckpointCodec.Format format, String data, long crc) {
    /** Ids and node names a child may send; a real one is far shorter. */
    static final int MAX_NAME = 512;

    public static WireCheckpoint of(Checkpoint c) {
        return of(EncodedCheckpoint.of(c));
    }

    public static WireCheckpoint of(EncodedCheckpoint c) {
        var enc = c.state();
        return new WireCheckpoint(c.id(), c.node(), c.next(), enc.format(), Base64.getEncoder().encodeToString(enc.bytes()), enc.checksum());
    }

    /**
     * The checkpoint as sent, checked but not decoded.
     *
     * @throws IllegalArgumentException when a field is missing or too long, or the data does not match its checksum
     */
    public EncodedCheckpoint encoded() {
        for (var name : new String[]{id, node, next}) {
            if (name == null || name.isEmpty() || name.length() > MAX_NAME) throw new IllegalArgumentException("a checkpoint without a proper id or node");
        }
        if (format == null || data == null) throw new IllegalArgumentException("a checkpoint without a state");
        byte[] bytes = Base64.getDecoder().decode(data);
        CheckpointCodec.verify(bytes, crc);
        return new EncodedCheckpoint(id, node, next, new CheckpointCodec.Encoded(format, bytes, crc));
    }

    /** Decoded, for the graph {@link CheckpointCodec#decodingFor} names. @throws IllegalArgumentException when damaged or refused */
    public Checkpoint toCheckpoint() {
        return encoded().decode();
    }
}
