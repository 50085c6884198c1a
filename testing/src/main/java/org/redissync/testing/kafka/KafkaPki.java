package org.redissync.testing.kafka;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The secured broker's own PKI, made before anything else runs: cert-service issues the suite's
 * certificates but needs Kafka first, so the broker cannot wait for it. A small CA of its own (its key
 * is dropped once the broker certificate is signed: nothing else is ever issued by it) and the broker's
 * certificate, for its TLS listener and, as a client, its own controller listener. Clients trust
 * {@link #caPem()} for the broker only.
 */
public final class KafkaPki {

    /** The broker's subject: its principal on the controller listener (a super user). */
    public static final String BROKER_SUBJECT = "CN=kafka-broker,O=redis-sync";

    private final Path dir;

    private KafkaPki(Path dir) {
        this.dir = dir;
    }

    /** The broker's key and chain (one PEM file, mode 0600) and the CA certificate in {@code dir}: kept if there. */
    public static KafkaPki in(Path dir, List<String> brokerNames) {
        KafkaPki pki = new KafkaPki(dir);
        if (Files.isRegularFile(pki.keystorePem()) && Files.isRegularFile(pki.caPem())) {
            return pki;
        }
        try {
            Files.createDirectories(dir);
            KeyPair ca = keyPair();
            X500Name caName = new X500Name("CN=redis-sync Kafka CA " + Long.toHexString(new SecureRandom().nextLong()) + ",O=redis-sync");
            X509Certificate caCert = sign(caName, caName, ca.getPublic(), ca, true, List.of());
            KeyPair broker = keyPair();
            List<GeneralName> names = new ArrayList<>();
            for (String n : brokerNames) {
                names.add(n.matches("[0-9.]+") || n.contains(":") ? new GeneralName(GeneralName.iPAddress, n)
                        : new GeneralName(GeneralName.dNSName, n));
            }
            X509Certificate brokerCert = sign(caName, new X500Name(BROKER_SUBJECT), broker.getPublic(), ca, false, names);
            Path tmp = dir.resolve("broker.pem.tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, pem(new JcaPKCS8Generator(broker.getPrivate(), null)) + pem(brokerCert) + pem(caCert));
            Files.writeString(pki.caPem(), pem(caCert));
            Files.move(tmp, pki.keystorePem(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return pki;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the broker's certificate: " + e.getMessage(), e);
        }
    }

    /** The broker's private key and certificate chain (Kafka's PEM keystore). */
    public Path keystorePem() {
        return dir.resolve("broker.pem");
    }

    /** The one certificate clients of the broker trust for it. */
    public Path caPem() {
        return dir.resolve("kafka-ca.pem");
    }

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name issuer, X500Name subject, java.security.PublicKey key, KeyPair signer, boolean ca,
            List<GeneralName> names) throws Exception {
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(128, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(ca ? 3650 : 825))), subject, key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }
}
