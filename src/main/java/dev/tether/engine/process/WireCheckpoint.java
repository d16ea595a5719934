package dev.tether.engine.process;

import dev.tether.engine.CheckpointCodec;
import org.bsc.langgraph4j.checkpoint.Checkpoint;

import java.util.Base64;

/**
 * A checkpoint on the pipe between a child JVM and its parent: the child's node states reach the
 * parent's store this way (the parent applies its fence and its store's rules), and a resume's
 * starting checkpoint reaches the child. Both ends are the same user's processes, so Java
 * serialization is allowed here; the store the parent writes to decides what it keeps.
 */
public record WireCheckpoint(String id, String node, String next, CheckpointCodec.Format format, String data, long crc) {

    public static WireCheckpoint of(Checkpoint c) {
        var enc = CheckpointCodec.encode(c.getState(), true);
        return new WireCheckpoint(c.getId(), c.getNodeId(), c.getNextNodeId(), enc.format(),
                Base64.getEncoder().encodeToString(enc.bytes()), enc.checksum());
    }

    /** @throws IllegalArgumentException when the data is damaged */
    public Checkpoint toCheckpoint() {
        var state = CheckpointCodec.decode(format, Base64.getDecoder().decode(data), crc);
        return Checkpoint.builder().id(id).nodeId(node).nextNodeId(next).state(state).build();
    }
}
