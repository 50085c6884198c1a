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
    REPLICATION_REFUSED("replication_refused"),
    /** A command the endpoint's command policy does not let a client run (answered with an error; the connection goes on). */
    COMMAND_REFUSED("command_refused"),
    /** A command naming the suite's reserved keys or channels ({@code __redissync:}). */
    RESERVED_STATE("reserved_state"),
    /** A request Redis's parser refuses: answered with Redis's own protocol error, then closed. */
    PROTOCOL_ERROR("protocol_error"),
    /** A client that did not read its replies past the output buffer limit: closed. */
    OUTPUT_LIMIT("output_limit"),
    /** A connection beyond the bdb's {@code max_connections}. */
    MAX_CONNECTIONS("max_connections");

    private final String label;

    Refusal(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
