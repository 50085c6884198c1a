package org.redissync.events;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** Topic {@code crdb.tasks} (compacted, key = task id): every state of every CRDB task. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = CrdbTaskEvent.TaskUpdated.class, name = "task_updated")})
public sealed interface CrdbTaskEvent extends SuiteEvent {

    String id();

    /** The task's full state after a transition (RE task object, snake_case). */
    record TaskUpdated(
            int version,
            String id,
            /** Bumped at every transition of this task. */
            long generation,
            String crdbGuid,
            /** {@code create_crdb}, {@code update_crdb}, {@code delete_crdb}, ... */
            String operation,
            TaskStatus status,
            /** The CRDB generation that must be observed applied everywhere for {@code finished}. */
            long targetGeneration,
            String workerName,
            Instant created,
            Instant started,
            Instant ended,
            List<TaskError> errors,
            List<ClusterProgress> progress) implements CrdbTaskEvent {

        public static final int VERSION = 1;

        public TaskUpdated {
            Objects.requireNonNull(id, "id");
            errors = errors == null ? List.of() : List.copyOf(errors);
            progress = progress == null ? List.of() : List.copyOf(progress);
        }

        @Override
        public String key() {
            return id;
        }
    }

    record TaskError(String clusterName, String description, String errorCode) {
    }

    record ClusterProgress(String name, String progress) {
    }
}
