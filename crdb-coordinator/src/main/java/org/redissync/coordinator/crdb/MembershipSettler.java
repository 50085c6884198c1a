package org.redissync.coordinator.crdb;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.coordinator.state.DesiredState;
import org.redissync.coordinator.task.MembershipProgress;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.plumbing.Coalescer;

/**
 * Makes the second step of each CRDB membership change once {@link MembershipProgress} finds the first applied (a new
 * instance active, a drained one removed). Stateless: what is under way is in {@code crdb.config}, so a restarted
 * coordinator goes on where the last one was. Re-checks on every status event and each second, on its own thread.
 */
@Singleton
public class MembershipSettler {

    private static final Logger LOG = Logger.getLogger(MembershipSettler.class);

    private final DesiredState state;
    private final CoordinatorEvents events;
    private final CrdbService crdbs;
    private final Clock clock;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "membership-settler");
        t.setDaemon(true);
        return t;
    });
    private final Coalescer checks = new Coalescer(worker, this::check);

    MembershipSettler(DesiredState state, CoordinatorEvents events, CrdbService crdbs, Clock clock) {
        this.state = state;
        this.events = events;
        this.crdbs = crdbs;
        this.clock = clock;
        events.status().onChange((k, e, o) -> checks.trigger());
    }

    void start(@Observes StartupEvent ignored) {
        events.streams().caughtUp().thenRun(() -> worker.scheduleWithFixedDelay(this::check, 0, 1, TimeUnit.SECONDS));
    }

    void stop(@Observes ShutdownEvent ignored) {
        worker.shutdownNow();
    }

    private void check() {
        if (!events.writer().isWriter()) {
            return;
        }
        try {
            List<CrdbConfigured> changing = state.crdbs().values().stream().filter(CrdbConfigured::membershipChanging).toList();
            for (CrdbConfigured c : changing) {
                String waiting = MembershipProgress.firstStepWait(c, state.bdbs(), events.status().all(), clock.instant());
                if (waiting == null) {
                    LOG.infof("crdb %s: first step of its membership change applied everywhere (generation %d)", c.guid(), c.generation());
                    crdbs.completeMembership(c.guid(), c.generation());
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("membership settler: %s", e.getMessage());
        }
    }
}
