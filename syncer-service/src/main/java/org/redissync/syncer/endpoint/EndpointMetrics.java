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

    /** What each meter counts, shown by Prometheus as its HELP. */
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "redissync_endpoint_connections_open", "Client connections open at this bdb's endpoint",
            "redissync_endpoint_connections_total", "Client connections accepted by this bdb's endpoint",
            "redissync_endpoint_handshakes_total", "TLS handshakes completed at this bdb's endpoint",
            "redissync_endpoint_refusals_total", "Connections or commands this bdb's endpoint refused, by reason",
            "redissync_endpoint_bytes_in_total", "Bytes received from clients of this bdb's endpoint",
            "redissync_endpoint_bytes_out_total", "Bytes sent to clients of this bdb's endpoint");

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
        return open.computeIfAbsent(uid, u -> {
            AtomicLong value = new AtomicLong();
            io.micrometer.core.instrument.Gauge.builder("redissync_endpoint_connections_open", value, AtomicLong::get)
                    .description(DESCRIPTIONS.get("redissync_endpoint_connections_open")).tag("bdb", Long.toString(u)).register(registry);
            return value;
        });
    }

    private Counter counter(String name, long uid, String reason) {
        String key = name + "|" + uid + "|" + reason;
        return counters.computeIfAbsent(key, k -> {
            // no baseUnit: Prometheus's naming would append it to names that already say it (..._bytes_in_total)
            Counter.Builder b = Counter.builder(name).description(DESCRIPTIONS.get(name)).tag("bdb", Long.toString(uid));
            return (reason == null ? b : b.tag("reason", reason)).register(registry);
        });
    }
}
