package org.redissync.cert.ca;

import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

import org.redissync.cert.error.CertError;
import org.redissync.cert.error.CertException;
import org.redissync.events.CertRole;

/**
 * The checks an operator-supplied certificate passes before anything changes (update_cert): the PEM
 * parses, the key is strong and belongs to the leaf, the leaf is valid now, its extended key usage
 * fits the role, and the chain runs leaf → intermediates, each signed by the next.
 */
public final class SuppliedCertificates {

    static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    /** A checked certificate chain and its key (null: none given, the certificate is for the key the role has now). */
    public record Checked(CertRole role, List<X509Certificate> chain, PrivateKey key) {
        @Override
        public String toString() {
            return "Checked[" + role + ", " + chain.get(0).getSubjectX500Principal() + ", key=[hidden]]";
        }
    }

    private SuppliedCertificates() {
    }

    public static Checked check(CertRole role, String certificatePem, String keyPem, Instant now) {
        List<X509Certificate> chain;
        try {
            chain = Pem.certificates(certificatePem);
        } catch (Pem.PemException e) {
            throw new CertException(CertError.INVALID_CERTIFICATE, "certificate for " + role.wire() + ": " + e.getMessage());
        }
        PrivateKey key = null;
        if (keyPem != null && !keyPem.isBlank()) { // without one: the key the role has now (checked by the caller)
            try {
                key = Pem.privateKey(keyPem);
            } catch (Pem.PemException e) {
                throw new CertException(CertError.INVALID_KEY, "key for " + role.wire() + ": " + e.getMessage());
            }
        }
        X509Certificate leaf = chain.get(0);
        Keys.weakness(leaf.getPublicKey()).ifPresent(w -> {
            throw new CertException(CertError.WEAK_KEY, role.wire() + " certificate: " + w);
        });
        if (key != null && !Keys.matches(key, leaf.getPublicKey())) {
            throw new CertException(CertError.KEY_MISMATCH, "the key does not belong to the " + role.wire() + " certificate");
        }
        if (now.isAfter(leaf.getNotAfter().toInstant())) {
            throw new CertException(CertError.CERTIFICATE_EXPIRED, "the " + role.wire() + " certificate expired on "
                    + leaf.getNotAfter().toInstant());
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            throw new CertException(CertError.CERTIFICATE_EXPIRED, "the " + role.wire() + " certificate is not valid before "
                    + leaf.getNotBefore().toInstant());
        }
        String needed = role == CertRole.SYNCER ? CLIENT_AUTH : SERVER_AUTH;
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku != null && !eku.contains(needed) && !eku.contains("2.5.29.37.0")) {
                throw new CertException(CertError.WRONG_KEY_USAGE, "a " + role.wire() + " certificate needs extended key usage "
                        + (role == CertRole.SYNCER ? "clientAuth" : "serverAuth"));
            }
        } catch (CertificateParsingException e) {
            throw new CertException(CertError.INVALID_CERTIFICATE, "unreadable extended key usage");
        }
        if (leaf.getBasicConstraints() >= 0) {
            throw new CertException(CertError.WRONG_KEY_USAGE, "the " + role.wire() + " certificate is a CA certificate");
        }
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            X509Certificate issuer = chain.get(i + 1);
            boolean signed;
            try {
                c.verify(issuer.getPublicKey());
                signed = c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal());
            } catch (Exception e) {
                signed = false;
            }
            if (!signed) {
                throw new CertException(CertError.INVALID_CHAIN, "certificate " + (i + 1) + " of the " + role.wire()
                        + " chain is not signed by the next one: order the chain leaf first, then its issuers");
            }
        }
        return new Checked(role, chain, key);
    }
}
