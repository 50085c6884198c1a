package org.redissync.cert.error;

/** A refusal with its reason; the message is safe to show (never contains key material). */
public class CertException extends RuntimeException {

    private final CertError error;

    public CertException(CertError error, String message) {
        super(message);
        this.error = error;
    }

    public CertError error() {
        return error;
    }
}
