package org.redissync.cert.error;

/**
 * Every reason cert-service refuses something: a stable {@code error_code} (Redis Enterprise
 * spelling where RE has one) and the HTTP status it maps to. Mapped to a response in one place
 * ({@code api.CertErrorMapper}).
 */
public enum CertError {
    INVALID_REQUEST(400, "invalid_request"),
    UNAUTHENTICATED(401, "unauthenticated"),
    /** The right bootstrap token, after its {@code token-expires-at}: only a current certificate renews now. */
    TOKEN_EXPIRED(401, "token_expired"),
    UNKNOWN_CLUSTER(404, "unknown_cluster"),
    NOT_FOUND(404, "not_found"),
    INVALID_NAME(400, "invalid_name"),
    INVALID_CSR(400, "invalid_csr"),
    BAD_CSR_SIGNATURE(400, "bad_csr_signature"),
    WEAK_KEY(400, "weak_key"),
    WEAK_HASHING(400, "weak_hashing"),
    SAN_NOT_ALLOWED(403, "san_not_allowed"),
    /** A cluster asked for a role it is not configured for (a data cluster for the API's certificate, say). */
    ROLE_NOT_ALLOWED(403, "role_not_allowed"),
    /**
     * An administrative call (update_cert, rotate, keys, secrets) without the API's client certificate: they are served
     * only on the TLS listener, to the control plane's {@code api} identity.
     */
    ADMIN_IDENTITY_REQUIRED(403, "admin_identity_required"),
    INVALID_CERTIFICATE(400, "invalid_certificate"),
    INVALID_KEY(400, "invalid_key"),
    CERTIFICATE_EXPIRED(406, "certificate_expired"),
    KEY_MISMATCH(406, "key_mismatch"),
    WRONG_KEY_USAGE(406, "wrong_key_usage"),
    INVALID_CHAIN(406, "invalid_chain"),
    UNAVAILABLE(503, "unavailable");

    private final int status;
    private final String code;

    CertError(int status, String code) {
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
