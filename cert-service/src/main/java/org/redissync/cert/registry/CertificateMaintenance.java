package org.redissync.cert.registry;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.redissync.cert.events.CertEvents;

/** After the topics are read: publish the CA if needed; then, every 30 s, end finished overlap windows. */
@Singleton
public class CertificateMaintenance {

    private static final Logger LOG = Logger.getLogger(CertificateMaintenance.class);

    private final CertificateService service;
    private final CertEvents events;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "certificate-maintenance");
        t.setDaemon(true);
        return t;
    });

    CertificateMaintenance(CertificateService service, CertEvents events) {
        this.service = service;
        this.events = events;
    }

    void start(@Observes StartupEvent ignored) {
        events.streams().caughtUp().thenRunAsync(() -> {
            safely(service::publishCaIfNeeded);
            timer.scheduleWithFixedDelay(() -> safely(service::pruneExpired), 30, 30, TimeUnit.SECONDS);
        }, timer);
    }

    void stop(@Observes ShutdownEvent ignored) {
        timer.shutdownNow();
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warnf("certificate maintenance: %s", e.getMessage());
        }
    }
}
