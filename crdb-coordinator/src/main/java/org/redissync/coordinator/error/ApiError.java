package org.redissync.coordinator.error;

/**
 * Every reason the coordinator refuses a request: a stable {@code error_code} (Redis Enterprise's
 * where it has one) and its HTTP status: RE's references document {@code 406 Not Acceptable} for an
 * invalid configuration (every validation failure here), {@code 400} only for a body that is not JSON. Turned into a response in one place ({@link ApiErrorMapper}).
 */
public enum ApiError {
    MALFORMED_JSON(400, "malformed_request"),
    /** A field that is unknown, not supported by this suite (or not with that value), or read-only. */
    INVALID_SCHEMA(406, "invalid_schema"),
    INVALID_VALUE(406, "invalid_value"),
    INVALID_CERTIFICATE(406, "invalid_certificate"),
    CERTIFICATE_EXPIRED(406, "certificate_expired"),
    DUPLICATED_CERTS(406, "duplicated_certs"),
    INVALID_SUBJECT(406, "invalid_authorized_subjects"),
    INVALID_REPLICA_SOURCE(406, "invalid_replica_source"),
    MISSING_SERVER_CERT(406, "missing_server_cert"),
    TOO_MANY_SOURCES(406, "too_many_replica_sources"),
    REPLICA_CYCLE(406, "replica_of_cycle"),
    INVALID_CONFIGURATION(406, "invalid_configuration"),
    UNKNOWN_CLUSTER(406, "unknown_cluster"),
    BACKEND_IN_USE(409, "backend_in_use"),
    BACKEND_UNREACHABLE(406, "backend_unreachable"),
    PORT_IN_USE(409, "port_in_use"),
    NAME_IN_USE(409, "name_in_use"),
    UID_EXISTS(409, "uid_exists"),
    BDB_NOT_FOUND(404, "db_not_exist"),
    CRDB_NOT_FOUND(404, "crdb_not_exist"),
    /** A CRDB instance id the CRDB does not have (RE: "instance ... not found", 404). */
    INSTANCE_NOT_FOUND(404, "crdb_instance_not_exist"),
    TASK_NOT_FOUND(404, "task_not_exist"),
    TASK_FINISHED(409, "task_already_finished"),
    BUSY(409, "busy"),
    // the framework's refusals, in the same body
    UNAUTHORIZED(401, "unauthorized"),
    FORBIDDEN(403, "forbidden"),
    NOT_FOUND(404, "not_found"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    /** Nothing was changed and nothing was refused for good: repeating the request is safe. */
    UNAVAILABLE(503, "unavailable"),
    /**
     * The change may have been taken (Kafka did not answer its commit in time), or was taken and is not read back yet:
     * read the state before repeating the request.
     */
    NOT_CONFIRMED(503, "change_not_confirmed");

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
