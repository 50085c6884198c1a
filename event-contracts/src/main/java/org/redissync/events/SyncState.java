package org.redissync.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A channel's state, as Redis Enterprise shows a replica source's {@code status}. */
public enum SyncState {
    @JsonProperty("out-of-sync") OUT_OF_SYNC,
    @JsonProperty("syncing") SYNCING,
    @JsonProperty("in-sync") IN_SYNC
}
