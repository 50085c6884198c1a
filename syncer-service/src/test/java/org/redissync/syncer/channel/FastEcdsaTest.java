package org.redissync.syncer.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;

import org.junit.jupiter.api.Test;

class FastEcdsaTest {

    @Test
    void itSignsAndVerifiesWithTheJdksKeysAndAgreesWithTheJdk() throws Exception {
        FastEcdsa.install();
        FastEcdsa.install();
        assertThat(Security.getProviders()[0].getName()).isEqualTo(FastEcdsa.NAME);
        for (String curve : new String[] {"secp256r1", "secp384r1"}) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", "SunEC");
            g.initialize(new ECGenParameterSpec(curve));
            KeyPair kp = g.generateKeyPair();
            byte[] data = ("handshake transcript " + curve).getBytes();
            for (String alg : new String[] {"SHA256withECDSA", "SHA384withECDSA"}) {
                Signature ours = Signature.getInstance(alg);
                ours.initSign(kp.getPrivate());
                ours.update(data);
                byte[] sig = ours.sign();
                assertThat(ours.getProvider().getName()).isEqualTo(FastEcdsa.NAME);

                Signature jdk = Signature.getInstance(alg, "SunEC");
                jdk.initVerify(kp.getPublic());
                jdk.update(data);
                assertThat(jdk.verify(sig)).as(alg + " on " + curve + ": ours signed, the JDK verifies").isTrue();

                jdk.initSign(kp.getPrivate());
                jdk.update(data);
                byte[] jdkSig = jdk.sign();
                Signature check = Signature.getInstance(alg);
                check.initVerify(kp.getPublic());
                check.update(data);
                assertThat(check.verify(jdkSig)).as(alg + " on " + curve + ": the JDK signed, ours verifies").isTrue();
                check.initVerify(kp.getPublic());
                check.update("something else".getBytes());
                assertThat(check.verify(jdkSig)).isFalse();
            }
        }
    }
}
