package org.redissync.coordinator.bdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.redissync.identity.PemCertificates;
import org.redissync.coordinator.TestCerts;

class ClientKeysTest {

    @Test
    void aKeysIdIsTheBdbTheSourceAndTheFirstSixteenHexDigitsOfTheLeafsSha256() throws Exception {
        String pem = TestCerts.valid("CN=client");
        var leaf = PemCertificates.parse(pem).get(0);
        // the form of ids already kept by cert-service: lower-case hex of the DER's SHA-256, not the colon-separated fingerprint
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded())).substring(0, 16);
        assertThat(ClientKeys.id(7, 2, pem)).isEqualTo("bdb7-source2-" + expected).matches("bdb7-source2-[0-9a-f]{16}");
    }

    @Test
    void anotherCertificateIsAnotherId() throws Exception {
        assertThat(ClientKeys.id(7, 2, TestCerts.valid("CN=a"))).isNotEqualTo(ClientKeys.id(7, 2, TestCerts.valid("CN=a")));
    }
}
