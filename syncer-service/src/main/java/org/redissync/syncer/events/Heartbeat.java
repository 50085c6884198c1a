package org.redissync.syncer.events;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.redissync.events.SyncerStatusEvent.SyncerHeartbeat;
import org.redissync.syncer.config.SyncerConfig;

/**
 * Says on {@code syncer.status}, every {@code redissync.status.heartbeat-interval}, that this syncer-service is alive:
 * its other reports are only published on change, so without this a frozen or partitioned syncer-service would leave
 * them looking current (a channel "in-sync, lag 0" forever).
 */
@Singleton
public class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class);

    private final SyncerEvents events;
    private final SyncerConfig config;
    private final Clock clock;
    private final Instant startedAt;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "heartbeat");
        t.setDaemon(true);
        return t;
    });

    Heartbeat(SyncerEvents events, SyncerConfig config, Clock clock) {
        this.events = events;
        this.config = config;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    void start(@Observes StartupEvent ignored) {
        long ms = config.status().heartbeatInterval().toMillis();
        events.streams().caughtUp().thenRun(() -> timer.scheduleAtFixedRate(this::beat, 0, ms, TimeUnit.MILLISECONDS));
    }

    void stop(@Observes ShutdownEvent ignored) {
        timer.shutdownNow();
    }

    private void beat() {
        try {
            events.streams().publisher().publish(new SyncerHeartbeat(SyncerHeartbeat.VERSION, events.cluster(), clock.instant(),
                    config.status().heartbeatInterval(), startedAt));
        } catch (RuntimeException e) { // the next beat tries again; a dead timer would make this cluster look silent
            LOG.warnf("heartbeat not published: %s", e.getMessage());
        }
    }
}
