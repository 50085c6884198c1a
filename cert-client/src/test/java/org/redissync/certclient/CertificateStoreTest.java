package org.redissync.certclient;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redissync.events.CertRole;
import org.redissync.identity.PemCertificates;

/** Certificates kept across restarts: owner-only on disk, used only while valid, of the CA trusted now, for today's names. */
class CertificateStoreTest {

    static final Instant NOW = Instant.now();

    record Issued(KeyPair keys, X509Certificate cert) {
    }

    static Issued issue(Issued ca, String cn, Instant notAfter, String... dnsNames) throws Exception {
        KeyPair kp = CertificateRequester.newKeyPair();
        X500Name subject = new X500Name("CN=" + cn);
        var b = new JcaX509v3CertificateBuilder(ca == null ? subject : new X500Name(ca.cert().getSubjectX500Principal().getName()),
                BigInteger.valueOf(System.nanoTime()), Date.from(NOW.minus(Duration.ofDays(2))), Date.from(notAfter), subject, kp.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca == null));
        if (dnsNames.length > 0) {
            GeneralName[] names = new GeneralName[dnsNames.length];
            for (int i = 0; i < dnsNames.length; i++) {
                names[i] = dnsNames[i].matches("[0-9.]+") ? new GeneralName(GeneralName.iPAddress, dnsNames[i])
                        : new GeneralName(GeneralName.dNSName, dnsNames[i]);
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build((ca == null ? kp : ca.keys()).getPrivate());
        return new Issued(kp, new JcaX509CertificateConverter().getCertificate(b.build(signer)));
    }

    static Path caFile(Path dir, Issued ca) throws Exception {
        return Files.writeString(dir.resolve("ca-" + System.nanoTime() + ".pem"), PemCertificates.write(List.of(ca.cert())));
    }

    @Test
    void aKeptCertificateComesBackAndItsKeyIsTheOwnersOnly(@TempDir Path dir) throws Exception {
        Issued ca = issue(null, "ca", NOW.plus(Duration.ofDays(365)));
        Issued leaf = issue(ca, "proxy.a", NOW.plus(Duration.ofDays(30)), "localhost", "127.0.0.1");
        CertificateStore store = new CertificateStore(dir.resolve("certs"));
        store.save(CertRole.PROXY, new CertificateMaterial(leaf.keys().getPrivate(), List.of(leaf.cert())));

        CertificateMaterial back = store.load(CertRole.PROXY, NOW, caFile(dir, ca), List.of("LOCALHOST", "127.0.0.1")).orElseThrow();
        assertThat(back.leaf()).isEqualTo(leaf.cert());
        assertThat(back.key().getEncoded()).isEqualTo(leaf.keys().getPrivate().getEncoded());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("certs")))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("certs/proxy.key")))).isEqualTo("rw-------");
        try (var files = Files.list(dir.resolve("certs"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("proxy.key", "proxy.pem");
        }
    }

    @Test
    void anExpiredOneAnotherCasOrOneWithoutTodaysNamesIsNotUsed(@TempDir Path dir) throws Exception {
        Issued ca = issue(null, "ca", NOW.plus(Duration.ofDays(365)));
        Issued other = issue(null, "another ca", NOW.plus(Duration.ofDays(365)));
        CertificateStore store = new CertificateStore(dir.resolve("certs"));
        Issued leaf = issue(ca, "proxy.a", NOW.plus(Duration.ofDays(30)), "syncer-a");
        store.save(CertRole.PROXY, new CertificateMaterial(leaf.keys().getPrivate(), List.of(leaf.cert())));

        assertThat(store.load(CertRole.PROXY, NOW, caFile(dir, ca), List.of("syncer-a"))).isPresent();
        assertThat(store.load(CertRole.PROXY, NOW, caFile(dir, other), List.of("syncer-a"))).as("another CA").isEmpty();
        assertThat(store.load(CertRole.PROXY, NOW, caFile(dir, ca), List.of("syncer-a", "syncer-a.example"))).as("a new name").isEmpty();
        assertThat(store.load(CertRole.PROXY, NOW.plus(Duration.ofDays(31)), caFile(dir, ca), List.of())).as("expired").isEmpty();
        assertThat(store.load(CertRole.SYNCER, NOW, caFile(dir, ca), List.of())).as("never kept").isEmpty();
        Files.writeString(dir.resolve("certs/proxy.key"), "garbage");
        assertThat(store.load(CertRole.PROXY, NOW, caFile(dir, ca), List.of())).as("unreadable").isEmpty();
    }
}
