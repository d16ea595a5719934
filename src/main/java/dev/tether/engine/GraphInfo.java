package dev.tether.engine;

import java.util.Map;

/** A graph as clients see it (serialisable): what to submit and what it looks like. */
public record GraphInfo(String id, String title, String description, String defaultQueue,
                        Map<String, Object> defaultInput, String mermaid) {}
