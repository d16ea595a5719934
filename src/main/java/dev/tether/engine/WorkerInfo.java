package dev.tether.engine;

import java.time.Instant;
import java.util.List;

/** A worker's heartbeat record, as the Workers view shows it. */
public record WorkerInfo(String name, String host, long pid, List<String> queues, int concurrency, int busy, int stuck,
                         Instant startedAt, Instant heartbeatAt) {}
