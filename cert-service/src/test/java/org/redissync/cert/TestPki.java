package org.redissync.cert;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.redissync.cert.ca.KeyAlgorithm;

/** Certificates made at test run time, with whatever validity and usage a test needs. Nothing is committed. */
public final class TestPki {

    public record Issued(X509Certificate cert, KeyPair keys) {
    }

    private TestPki() {
    }

    public static Issued ca(String cn) {
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        return new Issued(build(new X500Principal("CN=" + cn), kp, new X500Principal("CN=" + cn), kp, Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(86400), true, null), kp);
    }

    public static Issued leaf(Issued issuer, String cn, Instant notBefore, Instant notAfter, KeyPurposeId purpose) {
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        return new Issued(build(issuer.cert().getSubjectX500Principal(), issuer.keys(), new X500Principal("CN=" + cn), kp,
                notBefore, notAfter, false, purpose), kp);
    }

    /** Another certificate for {@code keys} (a renewal of the same key, as an operator's CA issues it). */
    public static Issued leafFor(Issued issuer, KeyPair keys, String cn, Instant notBefore, Instant notAfter, KeyPurposeId purpose) {
        return new Issued(build(issuer.cert().getSubjectX500Principal(), issuer.keys(), new X500Principal("CN=" + cn), keys,
                notBefore, notAfter, false, purpose), keys);
    }

    private static X509Certificate build(X500Principal issuer, KeyPair issuerKeys, X500Principal subject, KeyPair subjectKeys,
            Instant notBefore, Instant notAfter, boolean isCa, KeyPurposeId purpose) {
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(System.nanoTime()),
                    Date.from(notBefore), Date.from(notAfter), subject, subjectKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (purpose != null) {
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<X509Certificate> chain(Issued leaf, Issued ca) {
        return List.of(leaf.cert(), ca.cert());
    }
}
