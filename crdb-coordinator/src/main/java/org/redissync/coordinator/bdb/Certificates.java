package org.redissync.coordinator.bdb;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;
import org.redissync.identity.PemCertificates;

/** Reading certificates that arrive in API requests: PEM parsing, expiry, fingerprints. JDK only. */
public final class Certificates {

    private Certificates() {
    }

    /** Every certificate in the PEM text; 400 invalid_certificate when there is none or one is broken. */
    public static List<X509Certificate> parse(String pem, String field) {
        if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new ApiException(ApiError.INVALID_CERTIFICATE, field + ": not a PEM certificate");
        }
        try {
            return PemCertificates.parse(pem);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ApiError.INVALID_CERTIFICATE, field + ": " + e.getMessage());
        }
    }

    /** 400 certificate_expired when any certificate of the chain is outside its validity at {@code now}. */
    public static void requireCurrent(List<X509Certificate> chain, Instant now, String field) {
        for (X509Certificate c : chain) {
            if (now.isAfter(c.getNotAfter().toInstant())) {
                throw new ApiException(ApiError.CERTIFICATE_EXPIRED, field + ": the certificate " + c.getSubjectX500Principal().getName()
                        + " expired on " + c.getNotAfter().toInstant());
            }
        }
    }

    public static String fingerprint(X509Certificate c) {
        return PemCertificates.fingerprint(c);
    }

    /** Whether the PEM entry is a CA chain without a leaf (then it trusts what it signed; seed semantics). */
    public static boolean isCaOnly(List<X509Certificate> chain) {
        return chain.stream().allMatch(c -> c.getBasicConstraints() >= 0);
    }
}
