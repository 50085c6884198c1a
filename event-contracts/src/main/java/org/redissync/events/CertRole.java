package org.redissync.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The certificates a cluster has: endpoint server ({@code proxy}), syncer client, REST API server. */
public enum CertRole {
    @JsonProperty("proxy") PROXY,
    @JsonProperty("syncer") SYNCER,
    @JsonProperty("api") API;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
