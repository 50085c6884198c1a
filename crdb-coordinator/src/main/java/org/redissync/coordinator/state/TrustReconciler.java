package org.redissync.coordinator.state;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.redissync.coordinator.bdb.BdbService;
import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.plumbing.Coalescer;

/**
 * Keeps every bdb's derived trust ({@code authentication_ssl_crdt_certs}) current when certificates
 * are issued or rotate: a change on {@code cluster.certificates} schedules one reconcile (coalesced),
 * which writes only the bdbs whose trust set changed. Nobody runs {@code crdb-cli crdb update --force}
 * after a rotation.
 */
@Singleton
public class TrustReconciler {

    private static final Logger LOG = Logger.getLogger(TrustReconciler.class);

    private final DesiredState state;
    private final BdbService bdbs;
    private final CoordinatorEvents events;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "trust-reconciler");
        t.setDaemon(true);
        return t;
    });
    /** A burst of certificate events is one reconcile (at most one every 100 ms). */
    private final Coalescer reconciles = new Coalescer(worker, this::reconcile, Duration.ofMillis(100));

    TrustReconciler(DesiredState state, BdbService bdbs, CoordinatorEvents events) {
        this.state = state;
        this.bdbs = bdbs;
        this.events = events;
        events.certificates().onChange((k, e, o) -> schedule());
        events.writer().onWriter(this::schedule); // certificates that came while this coordinator was a standby
    }

    void start(@Observes StartupEvent ignored) {
        events.streams().caughtUp().thenRun(this::schedule);
    }

    void stop(@Observes ShutdownEvent ignored) {
        worker.shutdownNow();
    }

    private void schedule() {
        if (events.streams().caughtUp().isDone()) {
            reconciles.trigger();
        }
    }

    private void reconcile() {
        if (!events.writer().isWriter()) {
            return; // the writer reconciles (and this one does when it takes over)
        }
        try {
            int n = state.change(() -> {
                var changes = bdbs.reconcileTrust();
                if (!changes.isEmpty()) {
                    state.write(changes);
                }
                return changes.size();
            });
            if (n > 0) {
                LOG.infof("updated the trusted syncer certificates of %d bdb(s)", n);
            }
        } catch (RuntimeException e) {
            LOG.warnf("trust reconcile failed (%s); retrying", e.getMessage());
            worker.schedule(this::schedule, 2, TimeUnit.SECONDS);
        }
    }
}
