package dev.tether.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;

import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caps how many distinct values a tag whose values come from outside (Redis: worker, graph, queue
 * and node names) may take in one registry. Past the cap a counter or timer is recorded under
 * {@value #OTHER} instead, and a gauge (one function per id: an "other" gauge could only show one of
 * them) is denied. A value leaves the cap when {@link #release} says its meters were removed, so the
 * room is given back when a worker goes.
 */
public final class TagCap implements MeterFilter {
    /** The value a tag takes once its cap is reached. */
    public static final String OTHER = "other";
    /** Distinct values kept per tag (README "Metrics and outcomes"). */
    public static final Map<String, Integer> DEFAULT_CAPS = Map.of("worker", 100, "graph", 200, "queue", 100, "node", 500);

    private final Map<String, Integer> caps;
    private final Map<String, Set<String>> admitted = new ConcurrentHashMap<>();

    public TagCap(Map<String, Integer> caps) {
        this.caps = Map.copyOf(caps);
        for (var key : caps.keySet()) admitted.put(key, ConcurrentHashMap.newKeySet());
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        var tags = new ArrayList<Tag>();
        boolean changed = false;
        for (var tag : id.getTags()) {
            var kept = admit(tag.getKey(), tag.getValue());
            if (kept.equals(tag.getValue())) {
                tags.add(tag);
            } else {
                tags.add(Tag.of(tag.getKey(), kept));
                changed = true;
            }
        }
        return changed ? id.replaceTags(tags) : id;
    }

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        if (id.getType() != Meter.Type.GAUGE) return MeterFilterReply.NEUTRAL;
        for (var key : caps.keySet()) if (OTHER.equals(id.getTag(key))) return MeterFilterReply.DENY;
        return MeterFilterReply.NEUTRAL;
    }

    /** The value to record for {@code key=value}: the value itself while there is room, else {@value #OTHER}. */
    private String admit(String key, String value) {
        var cap = caps.get(key);
        if (cap == null || OTHER.equals(value)) return value;
        var set = admitted.get(key);
        if (set.contains(value)) return value;
        synchronized (set) { // the size check and the add together: never past the cap
            if (set.contains(value) || set.size() < cap && set.add(value)) return value;
        }
        return OTHER;
    }

    /** The meters tagged {@code key=value} are gone: its room is free again. */
    public void release(String key, String value) {
        var set = admitted.get(key);
        if (set != null) {
            synchronized (set) {
                set.remove(value);
            }
        }
    }

    /** The values of {@code key} that have meters now. */
    public Set<String> admitted(String key) {
        var set = admitted.get(key);
        return set == null ? Set.of() : Set.copyOf(set);
    }
}
