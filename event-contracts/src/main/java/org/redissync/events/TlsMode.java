package org.redissync.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A bdb's {@code tls_mode}, spelled as in the Redis Enterprise API. */
public enum TlsMode {
    @JsonProperty("disabled") DISABLED,
    @JsonProperty("enabled") ENABLED,
    @JsonProperty("replica_ssl") REPLICA_SSL;

    /** The Redis Enterprise spelling. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
