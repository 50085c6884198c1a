package org.redissync.cert.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redissync.cert.TestPki;

class CaStoreTest {

    static final X500Principal SUBJECT = new X500Principal("CN=test root,O=redis-sync");
    static final Clock CLOCK = Clock.systemUTC();

    @TempDir
    Path dir;

    @Test
    void createsARootOnceKeepsTheKeyOwnerOnlyAndReusesItOnEveryStartAfter() throws Exception {
        CaMaterial first = CaStore.loadOrCreate(dir, Optional.empty(), KeyAlgorithm.EC_P256, SUBJECT, Duration.ofDays(3650), CLOCK);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key")))).isEqualTo("rw-------");
        assertThat(first.certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
        CaMaterial again = CaStore.loadOrCreate(dir, Optional.empty(), KeyAlgorithm.RSA_2048, SUBJECT, Duration.ofDays(1), CLOCK);
        assertThat(Pem.fingerprint(again.certificate())).isEqualTo(Pem.fingerprint(first.certificate()));
        assertThat(again.key().getEncoded()).isEqualTo(first.key().getEncoded());
    }

    @Test
    void neverRegeneratesSilentlyWhenHalfTheCaIsMissing() throws Exception {
        CaStore.loadOrCreate(dir, Optional.empty(), KeyAlgorithm.EC_P256, SUBJECT, Duration.ofDays(3650), CLOCK);
        String pem = Files.readString(dir.resolve("ca.pem"));
        Files.delete(dir.resolve("ca.key"));
        assertThatThrownBy(() -> CaStore.loadOrCreate(dir, Optional.empty(), KeyAlgorithm.EC_P256, SUBJECT, Duration.ofDays(1), CLOCK))
                .hasMessageContaining("incomplete").hasMessageContaining("ca.key");
        assertThat(Files.readString(dir.resolve("ca.pem"))).isEqualTo(pem);
        assertThat(dir.resolve("ca.key")).doesNotExist();
    }

    @Test
    void aPasswordKeepsTheCaInAPkcs12KeystoreThatOnlyThatPasswordOpens() {
        CaMaterial first = CaStore.loadOrCreate(dir, Optional.of("s3cret".toCharArray()), KeyAlgorithm.RSA_2048, SUBJECT,
                Duration.ofDays(3650), CLOCK);
        assertThat(dir.resolve("ca.p12")).exists();
        assertThat(dir.resolve("ca.key")).doesNotExist();
        CaMaterial again = CaStore.loadOrCreate(dir, Optional.of("s3cret".toCharArray()), KeyAlgorithm.RSA_2048, SUBJECT,
                Duration.ofDays(3650), CLOCK);
        assertThat(again.certificate()).isEqualTo(first.certificate());
        assertThatThrownBy(() -> CaStore.loadOrCreate(dir, Optional.of("wrong".toCharArray()), KeyAlgorithm.RSA_2048, SUBJECT,
                Duration.ofDays(3650), CLOCK)).hasMessageContaining("wrong password");
        assertThatThrownBy(() -> CaStore.loadOrCreate(dir, Optional.empty(), KeyAlgorithm.RSA_2048, SUBJECT, Duration.ofDays(3650), CLOCK))
                .hasMessageContaining("keystore-password");
    }

    @Test
    void anOperatorSuppliedIntermediateSignsAndItsChainFollowsTheLeaf() throws Exception {
        TestPki.Issued root = TestPki.ca("operator root");
        CaMaterial rootMaterial = new CaMaterial(root.cert(), root.keys().getPrivate(), java.util.List.of());
        var intermediateKeys = KeyAlgorithm.EC_P256.generate();
        var intermediateChain = new CertificateAuthority(rootMaterial, CLOCK).issue(intermediateKeys.getPublic(),
                new CertificateAuthority.Profile(new X500Principal("CN=not a ca"), java.util.List.of(), true, false, Duration.ofDays(1)));
        // A leaf (CA:false) is refused as a CA.
        Path leafFile = dir.resolve("leaf.pem");
        Path leafKey = dir.resolve("leaf.key");
        Files.writeString(leafFile, Pem.write(intermediateChain));
        Files.writeString(leafKey, Pem.writePrivateKey(intermediateKeys.getPrivate()));
        assertThatThrownBy(() -> CaStore.loadOperatorCa(leafFile, leafKey)).hasMessageContaining("not a CA certificate");

        Path caFile = dir.resolve("root.pem");
        Path caKey = dir.resolve("root.key");
        Files.writeString(caFile, Pem.write(root.cert()));
        Files.writeString(caKey, Pem.writePrivateKey(root.keys().getPrivate()));
        CaMaterial loaded = CaStore.loadOperatorCa(caFile, caKey);
        assertThat(loaded.certificate()).isEqualTo(root.cert());
        // A key that is not the certificate's is refused.
        Files.writeString(caKey, Pem.writePrivateKey(TestPki.leaf(root, "x", Instant.now(), Instant.now().plusSeconds(60),
                KeyPurposeId.id_kp_serverAuth).keys().getPrivate()));
        assertThatThrownBy(() -> CaStore.loadOperatorCa(caFile, caKey)).hasMessageContaining("does not belong");
    }
}
