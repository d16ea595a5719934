package dev.tether.engine;

/**
 * @param capacity runs that can execute at once
 * @param busy     slots executing a run now
 * @param queued   requests waiting for a slot (local queue only; remote queues report their own)
 * @param stuck    threads of STUCK runs still alive (in-process threads cannot be forced)
 */
public record EngineStats(int capacity, int busy, int queued, int stuck) {}
