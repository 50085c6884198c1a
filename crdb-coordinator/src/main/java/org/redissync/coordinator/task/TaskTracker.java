package org.redissync.coordinator.task;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.redissync.plumbing.Coalescer;
import org.jboss.logging.Logger;
import org.redissync.coordinator.config.CoordinatorConfig;
import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.coordinator.state.DesiredState;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.CrdbConfigEvent;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.events.CrdbConfigEvent.Instance;
import org.redissync.events.CrdbTaskEvent.TaskUpdated;
import org.redissync.events.SyncerStatusEvent;
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

    // each check that changed a task is one Kafka transaction: a burst of status events (a hundred CRDBs created at
    // once) is batched into one check per 100 ms rather than one per event
    private final Coalescer checks = new Coalescer(worker, this::check, Duration.ofMillis(100));

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
        checks.trigger();
    }

    private void check() {
        if (!events.writer().isWriter()) {
            return; // a standby's tasks are driven by the writer
        }
        try {
            List<TaskUpdated> started = tasks.all().stream().filter(t -> t.status() == TaskStatus.STARTED).toList();
            if (started.isEmpty()) {
                return;
            }
            // one snapshot of the state for all of them (a switch of 100 CRDBs has 100 tasks under way and
            // thousands of status events; copying the views per task made the tracker a CPU hog)
            Map<Long, BdbConfigured> bdbs = state.bdbs();
            Map<String, SyncerStatusEvent> status = events.status().all();
            List<TaskUpdated> changed = new ArrayList<>();
            for (TaskUpdated t : started) {
                TaskUpdated next = evaluate(t, bdbs, status);
                if (next != null) {
                    changed.add(next);
                }
            }
            tasks.publishAll(changed);
        } catch (RuntimeException e) {
            LOG.warnf("task tracker: %s", e.getMessage());
        }
    }

    /** The task's next version, or null when nothing changed. */
    private TaskUpdated evaluate(TaskUpdated t, Map<Long, BdbConfigured> bdbs, Map<String, SyncerStatusEvent> status) {
        CrdbConfigured crdb = state.crdb(t.crdbGuid()).orElse(null);
        List<Instance> instances = crdb != null ? crdb.instances() : lastInstances(t.crdbGuid());
        TaskProgress.Outcome outcome = TaskProgress.evaluate(t, crdb, instances, bdbs, status, clock.instant());
        if (outcome.done()) {
            LOG.infof("task %s (%s %s) finished", t.id(), t.operation(), t.crdbGuid());
            return TaskService.transition(t, TaskStatus.FINISHED, clock.instant(), List.of(), outcome.progress());
        } else if (Duration.between(t.started(), clock.instant()).compareTo(config.tasks().timeout()) > 0) {
            LOG.warnf("task %s (%s %s) failed after %s: %s", t.id(), t.operation(), t.crdbGuid(), config.tasks().timeout(),
                    outcome.pending());
            return TaskService.transition(t, TaskStatus.FAILED, clock.instant(), outcome.pending(), outcome.progress());
        } else if (!outcome.progress().equals(t.progress())) {
            return new TaskUpdated(TaskUpdated.VERSION, t.id(), t.generation() + 1, t.crdbGuid(), t.operation(), t.status(),
                    t.targetGeneration(), t.workerName(), t.created(), t.started(), null, List.of(), outcome.progress());
        }
        return null;
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
