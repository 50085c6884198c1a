package org.redissync.coordinator.error;

/**
 * Every reason the coordinator refuses a request: a stable {@code error_code} (Redis Enterprise's
 * where it has one) and its HTTP status. Turned into a response in one place ({@link ApiErrorMapper}).
 */
public enum ApiError {
    MALFORMED_JSON(400, "malformed_request"),
    /** A field that is unknown, not supported by this suite (or not with that value), or read-only. */
    INVALID_SCHEMA(400, "invalid_schema"),
    INVALID_VALUE(400, "invalid_value"),
    INVALID_CERTIFICATE(400, "invalid_certificate"),
    CERTIFICATE_EXPIRED(400, "certificate_expired"),
    DUPLICATED_CERTS(400, "duplicated_certs"),
    INVALID_SUBJECT(400, "invalid_authorized_subjects"),
    INVALID_REPLICA_SOURCE(400, "invalid_replica_source"),
    MISSING_SERVER_CERT(400, "missing_server_cert"),
    TOO_MANY_SOURCES(400, "too_many_replica_sources"),
    REPLICA_CYCLE(400, "replica_of_cycle"),
    INVALID_CONFIGURATION(406, "invalid_configuration"),
    UNKNOWN_CLUSTER(400, "unknown_cluster"),
    BACKEND_IN_USE(409, "backend_in_use"),
    BACKEND_UNREACHABLE(406, "backend_unreachable"),
    PORT_IN_USE(409, "port_in_use"),
    NAME_IN_USE(409, "name_in_use"),
    UID_IN_USE(409, "uid_in_use"),
    BDB_NOT_FOUND(404, "db_not_exist"),
    CRDB_NOT_FOUND(404, "crdb_not_exist"),
    TASK_NOT_FOUND(404, "task_not_exist"),
    TASK_FINISHED(409, "task_already_finished"),
    BUSY(409, "busy"),
    UNAVAILABLE(503, "unavailable");

    private final int status;
    private final String code;

    ApiError(int status, String code) {
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
