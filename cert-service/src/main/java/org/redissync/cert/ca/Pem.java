package org.redissync.cert.ca;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;

import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.redissync.certclient.PemKeys;
import org.redissync.identity.PemCertificates;

/** PEM in and out: certificates, chains, PKCS#8/SEC1/PKCS#1 private keys, PKCS#10 requests. */
public final class Pem {

    private Pem() {
    }

    /** Every certificate in {@code pem}, in order. Throws {@link PemException} when there is none or one is broken. */
    public static List<X509Certificate> certificates(String pem) {
        try {
            return PemCertificates.parse(pem);
        } catch (IllegalArgumentException e) {
            throw new PemException(e.getMessage());
        }
    }

    public static PrivateKey privateKey(String pem) {
        try {
            return PemKeys.read(pem);
        } catch (IllegalArgumentException e) {
            throw new PemException(e.getMessage());
        }
    }

    public static PKCS10CertificationRequest csr(String pem) {
        try (PEMParser p = new PEMParser(new StringReader(pem == null ? "" : pem))) {
            Object o = p.readObject();
            if (o instanceof PKCS10CertificationRequest r) {
                return r;
            }
            throw new PemException("no PKCS#10 certificate request found in the PEM text");
        } catch (IOException | RuntimeException e) {
            if (e instanceof PemException pe) {
                throw pe;
            }
            throw new PemException("not a valid PEM certificate request: " + e.getMessage());
        }
    }

    public static String write(X509Certificate... certs) {
        return write(List.of(certs));
    }

    public static String write(List<X509Certificate> certs) {
        return PemCertificates.write(certs);
    }

    /** PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). Only for files with mode 0600, never for logs, APIs or Kafka. */
    public static String writePrivateKey(PrivateKey key) {
        return PemKeys.write(key);
    }

    public static String writeCsr(PKCS10CertificationRequest csr) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(csr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** SHA-256 fingerprint, upper-case hex pairs joined by ':' (as {@code openssl x509 -fingerprint -sha256}). */
    public static String fingerprint(X509Certificate cert) {
        return PemCertificates.fingerprint(cert);
    }

    public static String serialHex(X509Certificate cert) {
        return cert.getSerialNumber().toString(16).toLowerCase(Locale.ROOT);
    }

    /** Text that is not valid PEM of the expected kind. */
    public static final class PemException extends RuntimeException {
        public PemException(String message) {
            super(message);
        }
    }
}
