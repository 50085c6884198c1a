package org.redissync.syncer;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

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

/** Certificates made at test run time (CA, server, clients good and bad), written as PEM files. */
public final class TestPki {

    public record Issued(X509Certificate cert, KeyPair keys) {
        public String pem() {
            return TestPki.pem(cert);
        }

        /** Writes {@code <name>.crt} and {@code <name>.key} into {@code dir}. */
        public Path write(Path dir, String name) {
            try {
                Files.writeString(dir.resolve(name + ".crt"), pem());
                StringWriter w = new StringWriter();
                try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
                    pw.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
                }
                Files.writeString(dir.resolve(name + ".key"), w.toString());
                return dir.resolve(name + ".crt");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private TestPki() {
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static Issued ca(String cn) {
        KeyPair kp = ec();
        return new Issued(build(new X500Principal("CN=" + cn), kp, new X500Principal("CN=" + cn), kp.getPublic(), Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(30)), true, null, false), kp);
    }

    public static Issued server(Issued ca, String cn) {
        KeyPair kp = ec();
        return new Issued(build(ca.cert().getSubjectX500Principal(), ca.keys(), new X500Principal("CN=" + cn), kp.getPublic(),
                Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(30)), false, KeyPurposeId.id_kp_serverAuth, true), kp);
    }

    /** A cluster's proxy certificate as cert-service issues it: loopback names plus the cluster's URN. */
    public static Issued proxy(Issued ca, String cluster) {
        KeyPair kp = ec();
        return new Issued(build(ca.cert().getSubjectX500Principal(), ca.keys(), new X500Principal("CN=proxy." + cluster), kp.getPublic(),
                Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(30)), false, KeyPurposeId.id_kp_serverAuth, true,
                new GeneralName(GeneralName.uniformResourceIdentifier, "urn:redis-sync:cluster:" + cluster + ":proxy")), kp);
    }

    public static Issued client(Issued ca, String subject, Instant from, Instant to, KeyPair kp) {
        return new Issued(build(ca.cert().getSubjectX500Principal(), ca.keys(), new X500Principal(subject), kp.getPublic(), from, to, false,
                KeyPurposeId.id_kp_clientAuth, false), kp);
    }

    public static Issued client(Issued ca, String subject) {
        return client(ca, subject, Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(30)), ec());
    }

    static X509Certificate build(X500Principal issuer, KeyPair issuerKeys, X500Principal subject, java.security.PublicKey key, Instant from,
            Instant to, boolean isCa, KeyPurposeId purpose, boolean loopbackNames, GeneralName... extraNames) {
        try {
            var b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(System.nanoTime()), Date.from(from), Date.from(to), subject, key);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (purpose != null) {
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            }
            if (loopbackNames) {
                java.util.List<GeneralName> names = new java.util.ArrayList<>(java.util.List.of(
                        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
                names.addAll(java.util.List.of(extraNames));
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(X509Certificate... certs) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            for (X509Certificate c : certs) {
                pw.writeObject(c);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }
}
