package org.redissync.coordinator.task;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Singleton;

import org.redissync.coordinator.config.CoordinatorConfig;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;
import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.coordinator.state.StateWrites;
import org.redissync.events.CrdbTaskEvent;
import org.redissync.events.CrdbTaskEvent.ClusterProgress;
import org.redissync.events.CrdbTaskEvent.TaskError;
import org.redissync.events.CrdbTaskEvent.TaskUpdated;
import org.redissync.events.TaskStatus;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** CRDB tasks: every state is an event on {@code crdb.tasks}; this renders them the Redis Enterprise way. */
@Singleton
public class TaskService {

    private final CoordinatorEvents events;
    private final CoordinatorConfig config;
    private final Clock clock;
    private final StateWrites writes;

    TaskService(CoordinatorEvents events, CoordinatorConfig config, Clock clock, StateWrites writes) {
        this.events = events;
        this.config = config;
        this.clock = clock;
        this.writes = writes;
    }

    /** A new task id: the caller's {@code X-Task-ID} when given (and unused), else a random UUID. */
    public String newId(String requested) {
        if (requested == null || requested.isBlank()) {
            return UUID.randomUUID().toString();
        }
        if (!requested.matches("[A-Za-z0-9._:-]{1,128}")) {
            throw new ApiException(ApiError.INVALID_VALUE, "X-Task-ID: letters, digits, '.', '_', ':' and '-' only (at most 128)");
        }
        if (get(requested).isPresent()) {
            throw new ApiException(ApiError.INVALID_VALUE, "X-Task-ID: task " + requested + " exists already");
        }
        return requested;
    }

    public TaskUpdated queued(String id, String guid, String operation, long targetGeneration) {
        Instant now = clock.instant();
        return new TaskUpdated(TaskUpdated.VERSION, id, 1, guid, operation, TaskStatus.QUEUED, targetGeneration, config.workerName(),
                now, null, null, List.of(), List.of());
    }

    public static TaskUpdated transition(TaskUpdated t, TaskStatus status, Instant now, List<TaskError> errors,
            List<ClusterProgress> progress) {
        return new TaskUpdated(TaskUpdated.VERSION, t.id(), t.generation() + 1, t.crdbGuid(), t.operation(), status,
                t.targetGeneration(), t.workerName(), t.created(), t.started() != null ? t.started() : now,
                status.isTerminal() ? now : null, errors, progress);
    }

    public Optional<TaskUpdated> get(String id) {
        return events.tasks().get(id).filter(TaskUpdated.class::isInstance).map(TaskUpdated.class::cast);
    }

    public List<TaskUpdated> all() {
        List<TaskUpdated> out = new ArrayList<>();
        for (CrdbTaskEvent e : events.tasks().all().values()) {
            if (e instanceof TaskUpdated t) {
                out.add(t);
            }
        }
        out.sort(Comparator.comparing(TaskUpdated::created));
        return out;
    }

    public TaskUpdated require(String id) {
        return get(id).orElseThrow(() -> new ApiException(ApiError.TASK_NOT_FOUND, "no task with id " + id));
    }

    /** Publishes them together and waits once until the task view has them (the tracker's batch per check). */
    public void publishAll(List<TaskUpdated> updates) {
        if (updates.isEmpty()) {
            return;
        }
        writes.publishAndReadBack(updates);
    }

    /** Publishes a task state and waits until it is readable (so a GET right after sees it). */
    public void publish(TaskUpdated t) {
        publishAll(List.of(t));
    }

    public synchronized TaskUpdated cancel(String id) {
        TaskUpdated t = require(id);
        if (t.status().isTerminal()) {
            throw new ApiException(ApiError.TASK_FINISHED, "task " + id + " is already " + t.status().name().toLowerCase());
        }
        TaskUpdated cancelled = transition(t, TaskStatus.FAILED, clock.instant(),
                List.of(new TaskError(null, "cancelled by request", "cancelled")), t.progress());
        publish(cancelled);
        return cancelled;
    }

    /** The Redis Enterprise task object. */
    public static ObjectNode render(TaskUpdated t) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", t.id());
        if (t.crdbGuid() != null) {
            o.put("crdb_guid", t.crdbGuid());
        }
        o.put("operation", t.operation());
        o.put("status", t.status().name().toLowerCase());
        o.put("worker_name", t.workerName());
        if (t.started() != null) {
            o.put("started", t.started().toString());
        }
        if (t.ended() != null) {
            o.put("ended", t.ended().toString());
        }
        ArrayNode errors = o.putArray("errors");
        for (TaskError e : t.errors()) {
            ObjectNode eo = errors.addObject();
            if (e.clusterName() != null) {
                eo.put("cluster_name", e.clusterName());
            }
            eo.put("description", e.description());
            eo.put("error_code", e.errorCode());
        }
        ObjectNode progress = o.putObject("progress");
        ArrayNode clusters = progress.putArray("clusters");
        for (ClusterProgress p : t.progress()) {
            clusters.addObject().put("name", p.name()).put("progress", p.progress());
        }
        progress.put("worker", t.workerName());
        return o;
    }
}
