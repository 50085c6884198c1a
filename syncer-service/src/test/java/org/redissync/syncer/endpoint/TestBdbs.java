package org.redissync.syncer.endpoint;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.Tls;
import org.redissync.events.SubjectValidation;
import org.redissync.events.TlsMode;
import org.redissync.testing.FreePorts;
import org.redissync.syncer.events.SyncerEvents;

/** Bdbs of this cluster for endpoint tests: published on bdb.config, returned once their endpoint listens. */
final class TestBdbs {

    private static final AtomicLong UIDS = new AtomicLong(System.nanoTime() % 1_000_000 * 1000 + 300);

    record Bdb(long uid, int port) {
    }

    private TestBdbs() {
    }

    /** TLS settings of {@code mode} without client authentication. */
    static Tls tls(TlsMode mode) {
        return new Tls(mode, false, List.of(), List.of(), SubjectValidation.DISABLED, List.of(), false, false);
    }

    static Bdb open(SyncerEvents events, EndpointManager manager, String backend, Tls tls, int maxConnections) throws Exception {
        return open(events, manager, backend, tls, maxConnections, null);
    }

    /** As {@link #open(SyncerEvents, EndpointManager, String, Tls, int)}, as an instance of CRDB {@code crdbGuid} (null: none). */
    static Bdb open(SyncerEvents events, EndpointManager manager, String backend, Tls tls, int maxConnections, String crdbGuid)
            throws Exception {
        return open(events, manager, backend, tls, maxConnections, crdbGuid, 1 << 20);
    }

    /** As above, with RE's {@code memory_size} (the redis-server's maxmemory when the bdb has one of its own). */
    static Bdb open(SyncerEvents events, EndpointManager manager, String backend, Tls tls, int maxConnections, String crdbGuid,
            long memorySize) throws Exception {
        long uid = UIDS.incrementAndGet();
        int port = FreePorts.next();
        events.streams().publisher().publish(new BdbConfigured(BdbConfigured.VERSION, uid, 1, "db" + uid, events.cluster(), port,
                backend, memorySize, crdbGuid, tls, List.of(), "disabled", Instant.now(), maxConnections)).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> manager.endpoint(uid) != null);
        return new Bdb(uid, port);
    }
}
