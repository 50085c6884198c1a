package org.redissync.syncer.endpoint;

/** Why an endpoint refused a connection; the names are the metric labels and log words. */
public enum Refusal {
    PLAINTEXT_REFUSED("plaintext_refused"),
    NO_CLIENT_CERT("no_client_cert"),
    UNTRUSTED("untrusted"),
    SUBJECT_MISMATCH("subject_mismatch"),
    EXPIRED("expired"),
    WEAK_HASH("weak_hash"),
    PROTOCOL_VERSION("protocol_version"),
    /** A TLS handshake at an endpoint whose tls_mode is disabled (closed at once, not passed to Redis as garbage). */
    TLS_NOT_ENABLED("tls_not_enabled"),
    REPLICATION_REFUSED("replication_refused");

    private final String label;

    Refusal(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
