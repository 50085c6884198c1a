package org.redissync.coordinator;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed certificates made at test time, valid or expired, as PEM. */
public final class TestCerts {

    private TestCerts() {
    }

    public static String valid(String cn) {
        return pem(cn, Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(30)), false);
    }

    public static String expired(String cn) {
        return pem(cn, Instant.now().minus(Duration.ofDays(30)), Instant.now().minus(Duration.ofDays(1)), false);
    }

    public static String ca(String cn) {
        return pem(cn, Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(30)), true);
    }

    static String pem(String cn, Instant from, Instant to, boolean ca) {
        return make(cn, from, to, ca, List.of()).certificatePem();
    }

    /** A certificate with its private key, both PEM (test material only, made at run time). */
    public record WithKey(String certificatePem, String keyPem) {
    }

    /**
     * A self-signed server certificate for 127.0.0.1 and localhost naming {@code identity} (a URN) too: what the API
     * presents in the service tests; a client trusts it as its own anchor.
     */
    public static WithKey server(String cn, String identity) {
        return make(cn, Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(30)), false, List.of(
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.uniformResourceIdentifier, identity)));
    }

    private static WithKey make(String cn, Instant from, Instant to, boolean ca, List<GeneralName> names) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            X500Principal name = new X500Principal("CN=" + cn);
            var b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(System.nanoTime()), Date.from(from), Date.from(to), name,
                    kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (!names.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            }
            X509Certificate c = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            return new WithKey(write(c), write(new JcaPKCS8Generator(kp.getPrivate(), null)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String write(Object o) throws java.io.IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return w.toString();
    }
}
