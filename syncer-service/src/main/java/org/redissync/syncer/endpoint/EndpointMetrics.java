package org.redissync.syncer.endpoint;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/** Per bdb: open connections, handshakes, refusals by reason, bytes in and out. */
@Singleton
public class EndpointMetrics {

    private final MeterRegistry registry;
    private final Map<Long, AtomicLong> open = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    EndpointMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void connectionOpened(long uid) {
        gauge(uid).incrementAndGet();
        counter("redissync_endpoint_connections_total", uid, null).increment();
    }

    void connectionClosed(long uid) {
        gauge(uid).decrementAndGet();
    }

    void handshake(long uid) {
        counter("redissync_endpoint_handshakes_total", uid, null).increment();
    }

    void refused(long uid, Refusal reason) {
        counter("redissync_endpoint_refusals_total", uid, reason.label()).increment();
    }

    /** The byte counters of one bdb, resolved once: they are bumped for every buffer on the hot path. */
    record Bytes(Counter in, Counter out) {
    }

    Bytes bytes(long uid) {
        return new Bytes(counter("redissync_endpoint_bytes_in_total", uid, null), counter("redissync_endpoint_bytes_out_total", uid, null));
    }

    /** For tests: refusals of one reason so far. */
    public double refusals(long uid, Refusal reason) {
        return counter("redissync_endpoint_refusals_total", uid, reason.label()).count();
    }

    public double handshakes(long uid) {
        return counter("redissync_endpoint_handshakes_total", uid, null).count();
    }

    private AtomicLong gauge(long uid) {
        return open.computeIfAbsent(uid, u -> registry.gauge("redissync_endpoint_connections_open",
                io.micrometer.core.instrument.Tags.of("bdb", Long.toString(u)), new AtomicLong()));
    }

    private Counter counter(String name, long uid, String reason) {
        String key = name + "|" + uid + "|" + reason;
        return counters.computeIfAbsent(key, k -> reason == null
                ? registry.counter(name, "bdb", Long.toString(uid))
                : registry.counter(name, "bdb", Long.toString(uid), "reason", reason));
    }
}
