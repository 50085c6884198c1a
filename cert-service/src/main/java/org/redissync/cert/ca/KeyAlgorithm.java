package org.redissync.cert.ca;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;

/** Key types the CA may have; the signature algorithm follows from the key (SHA-256 or better). */
public enum KeyAlgorithm {
    EC_P256("EC", 256, "SHA256withECDSA"),
    EC_P384("EC", 384, "SHA384withECDSA"),
    RSA_2048("RSA", 2048, "SHA256withRSA"),
    RSA_3072("RSA", 3072, "SHA256withRSA"),
    RSA_4096("RSA", 4096, "SHA256withRSA");

    private final String family;
    private final int size;
    private final String signatureAlgorithm;

    KeyAlgorithm(String family, int size, String signatureAlgorithm) {
        this.family = family;
        this.size = size;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    public KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(family);
            if ("EC".equals(family)) {
                g.initialize(new ECGenParameterSpec(size == 256 ? "secp256r1" : "secp384r1"));
            } else {
                g.initialize(size);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + this + " key", e);
        }
    }

    /** The signature algorithm a CA with this private key signs with. */
    public static String signatureAlgorithmFor(PrivateKey key) {
        if ("EC".equals(key.getAlgorithm())) {
            int bits = ((java.security.interfaces.ECKey) key).getParams().getCurve().getField().getFieldSize();
            return bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
        }
        return "SHA256withRSA";
    }

    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }
}
