package org.redissync.cert.ca;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.util.Optional;

/** Facts about keys: do two halves belong together, how strong is a key. */
public final class Keys {

    private Keys() {
    }

    /** Whether {@code privateKey} is the private half of {@code publicKey} (sign, then verify). */
    public static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
        if (!privateKey.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        try {
            String alg = "EC".equals(privateKey.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
            byte[] probe = "redis-sync key match probe".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(privateKey);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(publicKey);
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Why a key is too weak for the suite, or empty: EC P-256/P-384, or RSA of at least 2048 bits. */
    public static Optional<String> weakness(PublicKey key) {
        if (key instanceof RSAKey rsa) {
            int bits = rsa.getModulus().bitLength();
            return bits >= 2048 ? Optional.empty() : Optional.of("RSA key of " + bits + " bits (at least 2048 required)");
        }
        if (key instanceof ECKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return bits == 256 || bits == 384 ? Optional.empty()
                    : Optional.of("EC key on a " + bits + "-bit curve (P-256 or P-384 required)");
        }
        return Optional.of(key.getAlgorithm() + " keys are not accepted (EC P-256/P-384 or RSA >= 2048)");
    }
}
