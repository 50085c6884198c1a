package org.redissync.syncer.channel;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.bouncycastle.jcajce.provider.asymmetric.ec.SignatureSpi;
import org.jboss.logging.Logger;

/**
 * ECDSA signatures by Bouncy Castle's implementation, ahead of the JDK's, for the channels' TLS client (the JDK's SunJSSE,
 * which takes its signatures from the first provider that has them). Every channel handshake verifies the source's
 * {@code CertificateVerify} and signs its own with P-256 keys; JDK 17's pure-Java P-256 took about 4 ms per verify and
 * 1–2 ms per sign here, Bouncy Castle's about 1 ms each, and those handshakes were most of a syncer's CPU while 200
 * channels switched to TLS at once (docs/benchmarks.md, "Scale"). Only the {@code SHAnwithECDSA} signatures are
 * provided: key pairs, key agreement, certificates and everything else stay the JDK's. Signatures are the same bytes
 * (DER) either way; keys of the JDK's are accepted as they are.
 */
public final class FastEcdsa extends Provider {

    private static final Logger LOG = Logger.getLogger(FastEcdsa.class);
    static final String NAME = "RedisSyncFastEcdsa";

    private static final Map<String, Supplier<java.security.SignatureSpi>> SIGNATURES = Map.of(
            "SHA256withECDSA", SignatureSpi.ecDSA256::new,
            "SHA384withECDSA", SignatureSpi.ecDSA384::new,
            "SHA512withECDSA", SignatureSpi.ecDSA512::new);

    private FastEcdsa() {
        super(NAME, "1.0", "ECDSA signatures by Bouncy Castle (P-256 and others), for TLS handshakes");
        for (var e : SIGNATURES.entrySet()) {
            putService(new Service(this, "Signature", e.getKey(), SignatureSpi.class.getName() + "$" + e.getKey(), List.of(),
                    Map.of("SupportedKeyClasses", "java.security.interfaces.ECPublicKey|java.security.interfaces.ECPrivateKey")) {
                @Override
                public Object newInstance(Object constructorParameter) throws NoSuchAlgorithmException {
                    return SIGNATURES.get(getAlgorithm()).get();
                }
            });
        }
    }

    /** Puts the provider first, once per JVM (idempotent). */
    public static synchronized void install() {
        if (Security.getProvider(NAME) == null) {
            Security.insertProviderAt(new FastEcdsa(), 1);
            LOG.infof("ECDSA signatures (TLS handshakes of channels) by Bouncy Castle");
        }
    }
}
