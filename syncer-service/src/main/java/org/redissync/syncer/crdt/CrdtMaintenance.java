package org.redissync.syncer.crdt;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.syncer.channel.BackendConnection;
import org.redissync.syncer.config.SyncerConfig;
import org.redissync.syncer.events.SyncerEvents;
import org.redissync.syncer.shard.ShardManager;

/**
 * Keeps the convergent CRDB instances of this cluster collectable (crdt/CRDT.md, "Tombstones"): every
 * {@code redissync.crdt.maintenance-interval} each instance ticks (an op record that carries its version vector to its
 * peers, so they learn what it has seen even when nobody writes) and runs a pass of tombstone collection over its
 * keys with the CRDB's members.
 */
@Singleton
public class CrdtMaintenance {

    private static final Logger LOG = Logger.getLogger(CrdtMaintenance.class);
    /** Keys one call looks at: a call blocks the instance's Redis, a few ms at most. */
    private static final int BATCH = 200;
    /**
     * Keys looked at per instance and pass, at most (a pass goes on where the last one stopped): a sweep of a million
     * keys takes 100 passes, and collection never takes more than a few per cent of the instance's Redis.
     */
    private static final int KEYS_PER_PASS = 10_000;

    private final SyncerEvents events;
    private final SyncerConfig config;
    private final ShardManager shards;
    private final Clock clock;
    private final Counter collected;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "crdt-maintenance");
        t.setDaemon(true);
        return t;
    });

    CrdtMaintenance(SyncerEvents events, SyncerConfig config, ShardManager shards, Clock clock, MeterRegistry meters) {
        this.events = events;
        this.config = config;
        this.shards = shards;
        this.clock = clock;
        this.collected = Counter.builder("redissync.crdt.tombstones.collected").description(
                "Deleted keys' convergence state dropped once every instance of their CRDB had seen it").register(meters);
    }

    void start(@Observes StartupEvent ignored) {
        if (!config.crdt().convergent()) {
            return;
        }
        long ms = config.crdt().maintenanceInterval().toMillis();
        events.streams().caughtUp().thenRun(() -> timer.scheduleWithFixedDelay(this::pass, ms, ms, TimeUnit.MILLISECONDS));
    }

    void stop(@Observes ShutdownEvent ignored) {
        timer.shutdownNow();
    }

    private void pass() {
        for (BdbConfigured b : events.bdbs().all().values().stream()
                .filter(e -> e instanceof BdbConfigured).map(e -> (BdbConfigured) e)
                .filter(b -> b.crdbGuid() != null && events.cluster().equals(b.cluster())).toList()) {
            try {
                maintain(b);
            } catch (IOException | RuntimeException e) { // the next pass tries again
                LOG.debugf("bdb %d: convergence maintenance not done: %s", b.uid(), e.getMessage());
            }
        }
    }

    private void maintain(BdbConfigured b) throws IOException {
        CrdbConfigured crdb = events.crdbs().get(b.crdbGuid()).filter(e -> e instanceof CrdbConfigured).map(e -> (CrdbConfigured) e)
                .orElse(null);
        if (crdb == null) {
            return;
        }
        List<String> gc = new ArrayList<>(List.of("FCALL", "redissync_gc", "0", events.cluster(), Integer.toString(BATCH)));
        crdb.instances().forEach(i -> gc.add(i.cluster()));
        try (BackendConnection c = BackendConnection.admin(shards.backend(b), 5000)) {
            check(c.call("FCALL", CrdtLibrary.TICK, "0", events.cluster(), Long.toString(clock.millis())));
            for (int looked = 0; looked < KEYS_PER_PASS; looked += BATCH) {
                Object r = c.call(gc.toArray(String[]::new));
                check(r);
                List<?> l = (List<?>) r;
                collected.increment((Long) l.get(0));
                if ("0".equals(new String((byte[]) l.get(2), java.nio.charset.StandardCharsets.US_ASCII))) {
                    break;
                }
            }
        }
    }

    private static void check(Object reply) throws IOException {
        if (reply instanceof BackendConnection.Error e) {
            throw new IOException(e.message());
        }
    }
}
