package org.redissync.identity;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Certificates as PEM text, the one place the suite reads, writes and fingerprints them (JDK only). Reading is strict:
 * every {@code -----BEGIN ...-----} block must be a certificate (a private key pasted into a certificate field is
 * refused, not skipped); text between blocks is ignored, as openssl does.
 */
public final class PemCertificates {

    private static final String BEGIN = "-----BEGIN ";
    private static final String DASHES = "-----";

    private PemCertificates() {
    }

    /** Every certificate in {@code pem}, in order; {@link IllegalArgumentException} when there is none, or a block is not one. */
    public static List<X509Certificate> parse(String pem) {
        if (pem == null || !pem.contains(BEGIN)) {
            throw new IllegalArgumentException("no certificate in the PEM text");
        }
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            // one pass, each block's end looked for once: linear in the text, whatever a caller sends
            int at = pem.indexOf(BEGIN);
            while (at >= 0) {
                int labelEnd = pem.indexOf(DASHES, at + BEGIN.length());
                if (labelEnd < 0) {
                    throw new IllegalArgumentException("a PEM block without its end");
                }
                String label = pem.substring(at + BEGIN.length(), labelEnd);
                if (!"CERTIFICATE".equals(label)) {
                    throw new IllegalArgumentException("expected only certificates, found a "
                            + (label.length() > 40 || !label.matches("[A-Z0-9 ]*") ? "non-certificate" : label) + " block");
                }
                String end = "-----END CERTIFICATE-----";
                int endAt = pem.indexOf(end, labelEnd + DASHES.length());
                if (endAt < 0) {
                    throw new IllegalArgumentException("a PEM certificate without its end");
                }
                byte[] der;
                try {
                    der = Base64.getMimeDecoder().decode(pem.substring(labelEnd + DASHES.length(), endAt).strip());
                } catch (IllegalArgumentException notBase64) {
                    throw new IllegalArgumentException("the PEM certificate cannot be parsed: " + notBase64.getMessage(), notBase64);
                }
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
                at = pem.indexOf(BEGIN, endAt + end.length());
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("the PEM certificate cannot be parsed: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no certificate in the PEM text");
        }
        return out;
    }

    /** PEM text of {@code chain}, leaf first, 64 characters a line (as openssl and Bouncy Castle write it). */
    public static String write(List<X509Certificate> chain) {
        StringBuilder b = new StringBuilder();
        Base64.Encoder enc = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        for (X509Certificate c : chain) {
            try {
                b.append("-----BEGIN CERTIFICATE-----\n").append(enc.encodeToString(c.getEncoded())).append("\n-----END CERTIFICATE-----\n");
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return b.toString();
    }

    /** SHA-256 fingerprint, upper-case hex pairs joined by ':' (as {@code openssl x509 -fingerprint -sha256}). */
    public static String fingerprint(X509Certificate c) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
