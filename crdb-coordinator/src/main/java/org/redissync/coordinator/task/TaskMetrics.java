package org.redissync.coordinator.task;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.events.CrdbTaskEvent;
import org.redissync.events.CrdbTaskEvent.TaskUpdated;
import org.redissync.events.TaskStatus;

/**
 * The coordinator's own metrics, from the tasks topic (so a standby shows the same): how many tasks are in each state
 * ({@code redissync_tasks{status}}), and how long the ones that ended took, from creation to their end
 * ({@code redissync_task_duration_seconds{operation, status}}, a timer: count, sum, max). Tasks that ended before this
 * coordinator started are counted by state but not timed again.
 */
@Singleton
public class TaskMetrics {

    private final CoordinatorEvents events;
    private final MeterRegistry registry;
    private final Map<String, TaskStatus> seen = new ConcurrentHashMap<>();
    private volatile boolean live;

    TaskMetrics(CoordinatorEvents events, MeterRegistry registry) {
        this.events = events;
        this.registry = registry;
        for (TaskStatus s : TaskStatus.values()) {
            Gauge.builder("redissync_tasks", this, m -> m.count(s)).tag("status", s.name().toLowerCase())
                    .description("CRDB tasks in this state, as the tasks topic holds them").register(registry);
        }
        events.tasks().onChange(this::changed);
    }

    void start(@Observes StartupEvent ignored) {
        events.streams().caughtUp().thenRun(() -> live = true);
    }

    private double count(TaskStatus status) {
        return events.tasks().all().values().stream()
                .filter(e -> e instanceof TaskUpdated t && t.status() == status).count();
    }

    private void changed(String key, CrdbTaskEvent event, long offset) {
        if (!(event instanceof TaskUpdated t)) {
            seen.remove(key);
            return;
        }
        TaskStatus before = seen.put(key, t.status());
        if (live && t.status().isTerminal() && before != t.status() && t.created() != null && t.ended() != null) {
            Timer.builder("redissync_task_duration_seconds")
                    .description("How long CRDB tasks took, from creation to finished or failed")
                    .tag("operation", t.operation() == null ? "unknown" : t.operation())
                    .tag("status", t.status().name().toLowerCase())
                    .register(registry)
                    .record(Duration.between(t.created(), t.ended()));
        }
    }
}
