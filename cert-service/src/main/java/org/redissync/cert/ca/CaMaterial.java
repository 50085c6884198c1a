package org.redissync.cert.ca;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The signing CA: its certificate, its private key (never leaves this process), and the chain
 * above it up to the root (empty for a self-signed root; the operator's chain for an intermediate).
 */
public record CaMaterial(X509Certificate certificate, PrivateKey key, List<X509Certificate> parents) {

    public CaMaterial {
        parents = parents == null ? List.of() : List.copyOf(parents);
    }

    /** The CA certificate and its parents: what an issued leaf's chain continues with. */
    public List<X509Certificate> chain() {
        var all = new java.util.ArrayList<X509Certificate>();
        all.add(certificate);
        all.addAll(parents);
        return all;
    }

    /** The trust anchor clients should trust: the root of the chain. */
    public X509Certificate root() {
        return parents.isEmpty() ? certificate : parents.get(parents.size() - 1);
    }

    @Override
    public String toString() {
        return "CaMaterial[" + certificate.getSubjectX500Principal() + ", key=[hidden]]";
    }
}
