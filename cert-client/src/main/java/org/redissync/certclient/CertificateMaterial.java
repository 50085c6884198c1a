package org.redissync.certclient;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** A private key (never leaves this process) and its certificate chain, leaf first. */
public record CertificateMaterial(PrivateKey key, List<X509Certificate> chain) {

    public CertificateMaterial {
        chain = List.copyOf(chain);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    @Override
    public String toString() {
        return "CertificateMaterial[" + leaf().getSubjectX500Principal() + ", key=[hidden]]";
    }
}
