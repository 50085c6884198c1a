package org.redissync.syncer.channel;

import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

import org.redissync.certclient.CertificateMaterial;

/**
 * The TLS side of a channel: this cluster's syncer certificate as client identity, and a server
 * check that proves the source's <em>identity</em>, not only its CA. A chain check alone would let
 * any certificate of the suite's CA (another cluster's, say) impersonate the peer, so a source
 * certificate is accepted when:
 * <ul>
 * <li>it equals the pinned {@code server_cert} of a Replica Of source, when one is given (nothing
 * else is then accepted); or</li>
 * <li>the source is a suite cluster and the certificate is one of that cluster's published proxy
 * certificates (current or still trusted: covers rotation and operator-supplied certificates); or
 * it chains to the suite CA and names that cluster ({@code urn:redis-sync:cluster:<name>:proxy})
 * and the endpoint's host; or</li>
 * <li>the source is outside the suite: it chains to the CA and its SAN matches the host.</li>
 * </ul>
 */
public final class ChannelTls {

    static final String CLUSTER_URN_PREFIX = "urn:redis-sync:cluster:";

    private ChannelTls() {
    }

    /** What a channel's TLS connection trusts. */
    public record Trust(List<X509Certificate> caCertificates, X509Certificate pinned, String sourceCluster,
            Collection<X509Certificate> publishedProxyCertificates, String host) {
    }

    /**
     * A context per connection. Built from memory with no key store: a PKCS#12 store would encrypt the
     * key and certificates with 10,000 PBKDF2 rounds each time, tens of ms on every rebuild.
     * {@code provider}: the JSSE provider (Conscrypt's BoringSSL), null for the JDK's own.
     */
    public static SSLContext context(CertificateMaterial syncer, Trust trust, java.security.Provider provider) throws GeneralSecurityException {
        SSLContext ctx = provider == null ? SSLContext.getInstance("TLS") : SSLContext.getInstance("TLS", provider);
        ctx.init(new javax.net.ssl.KeyManager[] {new SyncerKeyManager(syncer)},
                new javax.net.ssl.TrustManager[] {new SourceTrustManager(trust, pkix(trust.caCertificates()))}, null);
        return ctx;
    }

    /**
     * The suite's data TLS settings (RE's {@code min_data_TLS_version}, {@code data_cipher_list},
     * {@code data_cipher_suites_tls_1_3}; AES-GCM first by default: the JVM's ChaCha20 is 10x slower here), SNI when configured.
     */
    public static SSLParameters parameters(SSLContext ctx, String sni, org.redissync.events.SuiteSettingsEvent.DataTlsSettings settings) {
        SSLParameters p = ctx.getDefaultSSLParameters();
        p.setProtocols(settings.protocols());
        java.util.Set<String> supported = java.util.Set.of(ctx.getSupportedSSLParameters().getCipherSuites());
        List<String> suites = new ArrayList<>();
        for (String s : settings.ciphers()) {
            if (supported.contains(s)) {
                suites.add(s);
            }
        }
        p.setCipherSuites(suites.toArray(String[]::new));
        p.setUseCipherSuitesOrder(true);
        if (sni != null) {
            p.setServerNames(List.of(new SNIHostName(sni)));
        }
        return p;
    }

    private static X509TrustManager pkix(List<X509Certificate> anchors) throws GeneralSecurityException {
        KeyStore ts = KeyStore.getInstance("JKS"); // certificate entries only: no PBE work, unlike PKCS#12
        try {
            ts.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (X509Certificate c : anchors) {
            ts.setCertificateEntry("ca-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    /** The source check described on {@link ChannelTls}. Package-private for tests. */
    static void verifySource(X509Certificate[] chain, Trust trust, X509TrustManager pkix, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the source presented no certificate");
        }
        X509Certificate leaf = chain[0];
        String subject = leaf.getSubjectX500Principal().getName();
        if (trust.pinned() != null) {
            if (!leaf.equals(trust.pinned())) {
                throw new CertificateException("source certificate " + subject + " is not the pinned server_cert");
            }
            return;
        }
        if (trust.sourceCluster() != null && trust.publishedProxyCertificates().contains(leaf)) {
            return;
        }
        if (trust.caCertificates().isEmpty()) {
            throw new CertificateException("no CA to verify the source certificate " + subject + " with");
        }
        // BoringSSL (Conscrypt) names TLS 1.3's key exchange GENERIC; the JDK's PKIX checker knows it as UNKNOWN (what its
        // own TLS 1.3 passes) and would refuse the name "GENERIC" outright
        pkix.checkServerTrusted(chain, "GENERIC".equals(authType) ? "UNKNOWN" : authType);
        if (trust.sourceCluster() != null) {
            String urn = CLUSTER_URN_PREFIX + trust.sourceCluster() + ":proxy";
            if (!names(leaf, 6).contains(urn)) {
                throw new CertificateException("source certificate " + subject + " is not a proxy certificate of cluster "
                        + trust.sourceCluster());
            }
        }
        if (!hostMatches(leaf, trust.host())) {
            throw new CertificateException("source certificate " + subject + " does not name " + trust.host());
        }
    }

    static boolean hostMatches(X509Certificate leaf, String host) throws CertificateParsingException {
        String h = host.toLowerCase(Locale.ROOT);
        if (isIpLiteral(h)) {
            try {
                InetAddress want = InetAddress.getByName(h);
                for (String ip : names(leaf, 7)) {
                    if (InetAddress.getByName(ip).equals(want)) {
                        return true;
                    }
                }
            } catch (java.net.UnknownHostException e) {
                return false;
            }
            return false;
        }
        for (String dns : names(leaf, 2)) {
            String d = dns.toLowerCase(Locale.ROOT);
            if (d.equals(h)) {
                return true;
            }
            if (d.startsWith("*.") && h.indexOf('.') > 0 && h.substring(h.indexOf('.')).equals(d.substring(1))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isIpLiteral(String h) {
        return h.indexOf(':') >= 0 || h.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static List<String> names(X509Certificate c, int type) throws CertificateParsingException {
        List<String> out = new ArrayList<>();
        Collection<List<?>> sans = c.getSubjectAlternativeNames();
        if (sans != null) {
            for (List<?> san : sans) {
                if (((Integer) san.get(0)) == type) {
                    out.add(String.valueOf(san.get(1)));
                }
            }
        }
        return out;
    }

    /** Presents this cluster's syncer certificate, from memory. */
    private static final class SyncerKeyManager extends javax.net.ssl.X509ExtendedKeyManager {
        private static final String ALIAS = "syncer";
        private final CertificateMaterial material;

        SyncerKeyManager(CertificateMaterial material) {
            this.material = material;
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return material.chain().toArray(X509Certificate[]::new);
        }

        @Override
        public java.security.PrivateKey getPrivateKey(String alias) {
            return material.key();
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, Socket socket) {
            return null;
        }
    }

    private static final class SourceTrustManager extends X509ExtendedTrustManager {
        private final Trust trust;
        private final X509TrustManager pkix;

        SourceTrustManager(Trust trust, X509TrustManager pkix) {
            this.trust = trust;
            this.pkix = pkix;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            verifySource(chain, trust, pkix, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            verifySource(chain, trust, pkix, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            verifySource(chain, trust, pkix, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a channel is a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("a channel is a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("a channel is a client only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            List<X509Certificate> out = new ArrayList<>(trust.caCertificates());
            if (trust.pinned() != null) {
                out.add(trust.pinned());
            }
            return out.toArray(X509Certificate[]::new);
        }
    }
}
