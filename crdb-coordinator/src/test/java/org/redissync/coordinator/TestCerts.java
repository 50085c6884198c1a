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

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
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
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            X500Principal name = new X500Principal("CN=" + cn);
            var b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(System.nanoTime()), Date.from(from), Date.from(to), name,
                    kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            X509Certificate c = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            StringWriter w = new StringWriter();
            try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
                pw.writeObject(c);
            }
            return w.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
