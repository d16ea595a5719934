package dev.tether.engine;

import org.bsc.langgraph4j.checkpoint.Checkpoint;

import java.util.Map;

/**
 * A checkpoint whose state is still in its stored form: what a child JVM sends its parent and what a
 * resume in a child JVM starts from. The parent keeps and forwards these bytes as they are (after
 * their checksum), so it never deserialises a state a child's graph produced.
 */
public record EncodedCheckpoint(String id, String node, String next, CheckpointCodec.Encoded state) {

    public static EncodedCheckpoint of(Checkpoint c) {
        return new EncodedCheckpoint(c.getId(), c.getNodeId(), c.getNextNodeId(), CheckpointCodec.encode(c.getState(), true));
    }

    /**
     * The checkpoint with its state decoded, for the graph {@link CheckpointCodec#decodingFor} names.
     *
     * @throws IllegalArgumentException when the state is damaged or refused
     */
    public Checkpoint decode() {
        Map<String, Object> decoded = CheckpointCodec.decode(state.format(), state.bytes(), state.checksum());
        return Checkpoint.builder().id(id).nodeId(node).nextNodeId(next).state(decoded).build();
    }
}
