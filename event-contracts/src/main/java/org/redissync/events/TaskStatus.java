package org.redissync.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A CRDB task's status: queued → started → finished | failed. */
public enum TaskStatus {
    @JsonProperty("queued") QUEUED,
    @JsonProperty("started") STARTED,
    @JsonProperty("finished") FINISHED,
    @JsonProperty("failed") FAILED;

    public boolean isTerminal() {
        return this == FINISHED || this == FAILED;
    }
}
