package org.redissync.coordinator.task;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;
import org.redissync.coordinator.config.CoordinatorConfig;
import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.coordinator.state.DesiredState;
import org.redissync.events.CrdbConfigEvent;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.events.CrdbConfigEvent.Instance;
import org.redissync.events.CrdbTaskEvent.TaskUpdated;
import org.redissync.events.TaskStatus;

/**
 * Drives started tasks to {@code finished} when {@link TaskProgress} says they are applied everywhere,
 * or {@code failed} with each late cluster's reason after {@code redissync.tasks.timeout}. Re-checks
 * whenever a status or task event arrives (and every 500 ms), on its own thread.
 */
@Singleton
public class TaskTracker {

    private static final Logger LOG = Logger.getLogger(TaskTracker.class);

    private final TaskService tasks;
    private final DesiredState state;
    private final CoordinatorEvents events;
    private final CoordinatorConfig config;
    private final Clock clock;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "task-tracker");
        t.setDaemon(true);
        return t;
    });

    TaskTracker(TaskService tasks, DesiredState state, CoordinatorEvents events, CoordinatorConfig config, Clock clock) {
        this.tasks = tasks;
        this.state = state;
        this.events = events;
        this.config = config;
        this.clock = clock;
        events.status().onChange((k, e, o) -> poke());
    }

    void start(@Observes StartupEvent ignored) {
        events.streams().caughtUp().thenRun(() -> worker.scheduleWithFixedDelay(this::check, 0, 500, TimeUnit.MILLISECONDS));
    }

    void stop(@Observes ShutdownEvent ignored) {
        worker.shutdownNow();
    }

    /** Re-check soon (from any thread; never blocks the caller). */
    public void poke() {
        if (!worker.isShutdown()) {
            worker.execute(this::check);
        }
    }

    private void check() {
        try {
            for (TaskUpdated t : tasks.all()) {
                if (t.status() == TaskStatus.STARTED) {
                    evaluate(t);
                }
            }
        } catch (RuntimeException e) {
            LOG.warnf("task tracker: %s", e.getMessage());
        }
    }

    private void evaluate(TaskUpdated t) {
        CrdbConfigured crdb = state.crdb(t.crdbGuid()).orElse(null);
        List<Instance> instances = crdb != null ? crdb.instances() : lastInstances(t.crdbGuid());
        TaskProgress.Outcome outcome = TaskProgress.evaluate(t, crdb, instances, state.bdbs(), events.status().all());
        if (outcome.done()) {
            tasks.publish(TaskService.transition(t, TaskStatus.FINISHED, clock.instant(), List.of(), outcome.progress()));
            LOG.infof("task %s (%s %s) finished", t.id(), t.operation(), t.crdbGuid());
        } else if (Duration.between(t.started(), clock.instant()).compareTo(config.tasks().timeout()) > 0) {
            tasks.publish(TaskService.transition(t, TaskStatus.FAILED, clock.instant(), outcome.pending(), outcome.progress()));
            LOG.warnf("task %s (%s %s) failed after %s: %s", t.id(), t.operation(), t.crdbGuid(), config.tasks().timeout(),
                    outcome.pending());
        } else if (!outcome.progress().equals(t.progress())) {
            tasks.publish(new TaskUpdated(TaskUpdated.VERSION, t.id(), t.generation() + 1, t.crdbGuid(), t.operation(), t.status(),
                    t.targetGeneration(), t.workerName(), t.created(), t.started(), null, List.of(), outcome.progress()));
        }
    }

    /** For a deleted CRDB: the instances its deletion event lists, so the task can watch their endpoints go. */
    private List<Instance> lastInstances(String guid) {
        CrdbConfigEvent e = events.crdbs().get(guid).orElse(null);
        if (e instanceof CrdbConfigured c) {
            return c.instances();
        }
        return e instanceof CrdbConfigEvent.CrdbDeleted d ? d.instances() : List.of();
    }
}
