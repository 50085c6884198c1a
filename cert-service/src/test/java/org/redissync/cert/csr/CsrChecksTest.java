package org.redissync.cert.csr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.List;
import java.util.Set;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.redissync.cert.ca.KeyAlgorithm;
import org.redissync.cert.error.CertError;
import org.redissync.cert.error.CertException;

/** What a cluster's CSR may ask for (pure: no CA, no HTTP). */
class CsrChecksTest {

    static final Set<String> ALLOWED = Set.of("proxy.cluster-a.example", "10.0.0.7");

    static PKCS10CertificationRequest csr(KeyPair kp, String signature, GeneralName... names) throws Exception {
        var b = new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=proxy.cluster-a"), kp.getPublic());
        if (names.length > 0) {
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
        }
        return b.build(new JcaContentSignerBuilder(signature).build(kp.getPrivate()));
    }

    static CertError refusal(PKCS10CertificationRequest csr) {
        try {
            CsrChecks.check(csr, ALLOWED, true);
        } catch (CertException e) {
            return e.error();
        }
        throw new AssertionError("accepted");
    }

    @Test
    void namesWithinTheClustersAreAcceptedAndNothingElse() throws Exception {
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        var ok = CsrChecks.check(csr(kp, "SHA256withECDSA", new GeneralName(GeneralName.dNSName, "PROXY.cluster-a.example"),
                new GeneralName(GeneralName.iPAddress, "10.0.0.7")), ALLOWED, true);
        assertThat(ok.publicKey()).isEqualTo(kp.getPublic());
        assertThat(ok.subjectAltNames()).hasSize(2);
        assertThat(refusal(csr(kp, "SHA256withECDSA", new GeneralName(GeneralName.dNSName, "api.suite.example"))))
                .isEqualTo(CertError.SAN_NOT_ALLOWED);
        assertThat(refusal(csr(kp, "SHA256withECDSA", new GeneralName(GeneralName.iPAddress, "10.0.0.8"))))
                .isEqualTo(CertError.SAN_NOT_ALLOWED);
        assertThat(refusal(csr(kp, "SHA256withECDSA", new GeneralName(GeneralName.uniformResourceIdentifier,
                "urn:redis-sync:cluster:cluster-b:proxy")))).as("a URN identity is the CA's to give").isEqualTo(CertError.SAN_NOT_ALLOWED);
    }

    @Test
    void aRequestNamingNothingGetsTheAllowedNamesOnlyWhereTheRoleDefaultsToThem() throws Exception {
        KeyPair kp = KeyAlgorithm.EC_P256.generate();
        assertThat(CsrChecks.check(csr(kp, "SHA256withECDSA"), ALLOWED, true).subjectAltNames()).hasSize(2);
        assertThat(CsrChecks.check(csr(kp, "SHA256withECDSA"), ALLOWED, false).subjectAltNames()).isEmpty();
    }

    @Test
    void weakKeysAndHashesAreRefused() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        assertThat(refusal(csr(rsa.generateKeyPair(), "SHA256withRSA"))).isEqualTo(CertError.WEAK_KEY);
        assertThat(refusal(csr(KeyAlgorithm.EC_P256.generate(), "SHA1withECDSA"))).isEqualTo(CertError.WEAK_HASHING);
    }

    @Test
    void aRequestNotSignedByItsOwnKeyIsRefused() throws Exception {
        KeyPair claimed = KeyAlgorithm.EC_P256.generate();
        KeyPair signer = KeyAlgorithm.EC_P256.generate();
        var forged = new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=proxy.cluster-a"), claimed.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate()));
        assertThat(refusal(forged)).isEqualTo(CertError.BAD_CSR_SIGNATURE);
        assertThatThrownBy(() -> CsrChecks.check(forged, ALLOWED, true)).hasMessageContaining("does not verify");
        assertThat(List.of(CsrChecks.isIpLiteral("10.0.0.7"), CsrChecks.isIpLiteral("::1"), CsrChecks.isIpLiteral("a.example")))
                .containsExactly(true, true, false);
    }
}
