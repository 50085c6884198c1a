package org.redissync.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;

/** PEM certificates read strictly, written as openssl and Bouncy Castle write them, fingerprinted as openssl does. */
class PemCertificatesTest {

    static String bouncyCastle(Object... objects) throws Exception {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            for (Object o : objects) {
                pw.writeObject(o);
            }
        }
        return w.toString();
    }

    @Test
    void aChainWrittenHereIsByteForByteWhatBouncyCastleWritesAndReadsBackInOrder() throws Exception {
        PeerIdentityIT.Issued ca = PeerIdentityIT.issue(null, "ca");
        PeerIdentityIT.Issued leaf = PeerIdentityIT.issue(ca, "leaf");
        List<X509Certificate> chain = List.of(leaf.cert(), ca.cert());
        String pem = PemCertificates.write(chain);
        assertThat(pem).isEqualTo(bouncyCastle(leaf.cert(), ca.cert()));
        assertThat(PemCertificates.parse("Bag Attributes: text between blocks is ignored\n" + pem)).containsExactlyElementsOf(chain);
    }

    @Test
    void aPrivateKeyGarbageOrNothingIsRefusedNotSkipped() throws Exception {
        PeerIdentityIT.Issued leaf = PeerIdentityIT.issue(null, "leaf");
        String withKey = PemCertificates.write(List.of(leaf.cert())) + bouncyCastle(new JcaPKCS8Generator(leaf.keys().getPrivate(), null));
        assertThatThrownBy(() -> PemCertificates.parse(withKey)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected only certificates, found a PRIVATE KEY block");
        assertThatThrownBy(() -> PemCertificates.parse("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
                .hasMessageContaining("cannot be parsed");
        assertThatThrownBy(() -> PemCertificates.parse("hello")).hasMessageContaining("no certificate in the PEM text");
        // a block that never ends, many times over (one pass: each is looked at once)
        String unended = "-----BEGIN CERTIFICATE-----\nAAAA\n".repeat(100_000);
        assertThatThrownBy(() -> PemCertificates.parse(unended)).hasMessageContaining("without its end");
        assertThatThrownBy(() -> PemCertificates.parse("-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n"))
                .hasMessageContaining("cannot be parsed");
        assertThatThrownBy(() -> PemCertificates.parse(null)).hasMessageContaining("no certificate in the PEM text");
    }

    @Test
    void theFingerprintIsOpensslsSha256Form() throws Exception {
        PeerIdentityIT.Issued leaf = PeerIdentityIT.issue(null, "leaf");
        String fp = PemCertificates.fingerprint(leaf.cert());
        assertThat(fp).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(leaf.cert().getEncoded());
        assertThat(fp.replace(":", "")).isEqualToIgnoringCase(java.util.HexFormat.of().formatHex(d));
    }
}
