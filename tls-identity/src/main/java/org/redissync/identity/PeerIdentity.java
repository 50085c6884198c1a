package org.redissync.identity;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Who a TLS server of the suite is: not its hostname alone (every cluster may be given a certificate for
 * {@code localhost}), but the URN identity the suite's CA puts in the certificates it issues, as a URI
 * subject alternative name: {@code urn:redis-sync:cluster:<cluster>:<role>} for a cluster's (or the control
 * plane's) role certificates, {@code urn:redis-sync:service:cert-service} for cert-service's own listener.
 * A client that knows whom it calls checks that name during the handshake, after the usual path and
 * hostname checks, so its credentials never reach a server of the same CA that is someone else.
 */
public final class PeerIdentity {

    public static final String CLUSTER_PREFIX = "urn:redis-sync:cluster:";
    public static final String CERT_SERVICE = "urn:redis-sync:service:cert-service";

    private PeerIdentity() {
    }

    /** The identity of {@code cluster}'s {@code role} certificate ({@code proxy}, {@code syncer}, {@code api}). */
    public static String of(String cluster, String role) {
        return CLUSTER_PREFIX + cluster + ":" + role;
    }

    /** The URI subject alternative names of {@code certificate}. */
    public static List<String> uris(X509Certificate certificate) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (Integer.valueOf(6).equals(san.get(0)) && san.get(1) instanceof String uri) {
                        out.add(uri);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no names
        }
        return out;
    }

    /** Throws unless {@code leaf} names {@code identity}. */
    public static void require(X509Certificate leaf, String identity) throws CertificateException {
        List<String> uris = uris(leaf);
        if (!uris.contains(identity)) {
            throw new CertificateException("the server's certificate is not " + identity + " (it names "
                    + (uris.isEmpty() ? "no URN identity" : String.join(", ", uris)) + "; subject " + leaf.getSubjectX500Principal()
                    .getName() + ")");
        }
    }

    /**
     * A TLS context for clients that trusts only the certificates in {@code caPem} and, when {@code identity} is
     * given, only a server whose certificate names it. Hostname verification stays the caller's (the JDK's HTTP
     * client does it; it runs before the identity check).
     */
    public static SSLContext clientContext(Path caPem, Optional<String> identity) throws IOException {
        return mutualContext(caPem, identity, null, List.of());
    }

    /**
     * As {@link #clientContext}, presenting {@code key} with {@code chain} (leaf first) as this client's certificate:
     * mutual TLS, e.g. the coordinator's {@code api} identity towards cert-service, or a renewal authenticated by the
     * certificate it renews. The key stays in this process's memory.
     */
    public static SSLContext mutualContext(Path caPem, Optional<String> identity, PrivateKey key, List<X509Certificate> chain)
            throws IOException {
        try {
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            List<X509Certificate> cas;
            try {
                cas = PemCertificates.parse(Files.readString(caPem));
            } catch (IllegalArgumentException e) {
                throw new IOException(caPem + ": " + e.getMessage(), e);
            }
            int i = 0;
            for (X509Certificate c : cas) {
                anchors.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(anchors);
            TrustManager[] managers = tmf.getTrustManagers();
            if (identity.isPresent()) {
                managers = new TrustManager[] {new Requiring(pkix(managers), identity.get())};
            }
            KeyManager[] keys = null;
            if (key != null) {
                KeyStore own = KeyStore.getInstance("PKCS12");
                own.load(null, null);
                char[] transientPassword = "in-memory".toCharArray();
                own.setKeyEntry("client", key, transientPassword, chain.toArray(X509Certificate[]::new));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(own, transientPassword);
                keys = kmf.getKeyManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, managers, null);
            return ctx;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot trust " + caPem + ": " + e.getMessage(), e);
        }
    }

    private static X509ExtendedTrustManager pkix(TrustManager[] managers) {
        for (TrustManager m : managers) {
            if (m instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new IllegalStateException("no X.509 trust manager");
    }

    /** The platform's checks, then the identity. */
    private static final class Requiring extends X509ExtendedTrustManager {

        private final X509ExtendedTrustManager pkix;
        private final String identity;

        Requiring(X509ExtendedTrustManager pkix, String identity) {
            this.pkix = pkix;
            this.identity = identity;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            pkix.checkServerTrusted(chain, authType, socket);
            require(chain[0], identity);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            pkix.checkServerTrusted(chain, authType, engine);
            require(chain[0], identity);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
            require(chain[0], identity);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            pkix.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            pkix.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }
}
