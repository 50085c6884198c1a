package org.redissync.cert.ca;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Signs certificates. The CA, never the request, decides subject, validity, key usage, extended key
 * usage and basic constraints; a request only contributes its public key and the names it asks for
 * (already checked against the cluster's allowed names by {@code CsrChecks}).
 */
public final class CertificateAuthority {

    /** Issued certificates start this much in the past, to tolerate clock skew between hosts. */
    static final Duration BACKDATE = Duration.ofMinutes(5);

    private final CaMaterial ca;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public CertificateAuthority(CaMaterial ca, Clock clock) {
        this.ca = ca;
        this.clock = clock;
    }

    public CaMaterial material() {
        return ca;
    }

    /** What to issue: the subject, names and usage come from the role and the cluster, not the CSR. */
    public record Profile(X500Principal subject, List<GeneralName> subjectAltNames, boolean serverAuth, boolean clientAuth,
            Duration validity) {
    }

    /** Issues a leaf for {@code publicKey}; returns the chain, leaf first. */
    public List<X509Certificate> issue(PublicKey publicKey, Profile profile) {
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(), serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(profile.validity())), profile.subject(), publicKey);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            int usage = KeyUsage.digitalSignature;
            if ("RSA".equals(publicKey.getAlgorithm())) {
                usage |= KeyUsage.keyEncipherment;
            }
            b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            List<KeyPurposeId> purposes = new ArrayList<>();
            if (profile.serverAuth()) {
                purposes.add(KeyPurposeId.id_kp_serverAuth);
            }
            if (profile.clientAuth()) {
                purposes.add(KeyPurposeId.id_kp_clientAuth);
            }
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)));
            if (!profile.subjectAltNames().isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(profile.subjectAltNames().toArray(GeneralName[]::new)));
            }
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(publicKey));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()));
            X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(b.build(signer()));
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(leaf);
            chain.addAll(ca.chain());
            return chain;
        } catch (GeneralSecurityException | org.bouncycastle.cert.CertIOException e) {
            throw new IllegalStateException("signing failed: " + e.getMessage(), e);
        }
    }

    /** A new self-signed root CA. */
    public static CaMaterial createRoot(KeyAlgorithm algorithm, X500Principal subject, Duration validity, Clock clock) {
        KeyPair kp = algorithm.generate();
        Instant now = clock.instant();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(new SecureRandom()),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(1));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            ContentSigner signer = new JcaContentSignerBuilder(algorithm.signatureAlgorithm()).build(kp.getPrivate());
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer));
            return new CaMaterial(cert, kp.getPrivate(), List.of());
        } catch (GeneralSecurityException | OperatorCreationException | org.bouncycastle.cert.CertIOException e) {
            throw new IllegalStateException("cannot create the root CA: " + e.getMessage(), e);
        }
    }

    private ContentSigner signer() {
        try {
            return new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithmFor(ca.key())).build(ca.key());
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private BigInteger serial() {
        return serial(random);
    }

    /** 128 random bits, positive: well above the 64 bits CA/B forum rules ask for. */
    static BigInteger serial(SecureRandom random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        b[0] &= 0x7f;
        b[0] |= 0x40;
        return new BigInteger(1, b);
    }
}
