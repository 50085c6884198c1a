package org.redissync.certclient;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.PrivateKey;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * Private keys as PEM, the one place the suite reads and writes them (certificates: {@code PemCertificates}). Reads an
 * unencrypted PKCS#8, PKCS#1 (RSA) or SEC1 (EC) key; writes PKCS#8. A key's text goes only to a file of mode 0600 or an
 * in-memory TLS configuration: never to a log, an API answer or Kafka.
 */
public final class PemKeys {

    private PemKeys() {
    }

    /** The first private key in {@code pem}; {@link IllegalArgumentException} when there is none or it cannot be read. */
    public static PrivateKey read(String pem) {
        try (PEMParser p = new PEMParser(new StringReader(pem == null ? "" : pem))) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                return conv.getPrivateKey(kp.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            throw new IllegalArgumentException("no unencrypted private key found in the PEM text");
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("not a valid PEM private key", e);
        }
    }

    /** PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
    public static String write(PrivateKey key) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(new JcaPKCS8Generator(key, null));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }
}
