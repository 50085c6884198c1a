package org.redissync.syncer.endpoint;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The endpoints' client-certificate check. A TLS stack can only ask "trusted or not?", but a bdb
 * trusts certificates in several ways at once (pinned leaves, CA chains with subject rules, peer
 * syncers; expiry and weak-hash exceptions). So the handshake asks the connection's
 * {@link ClientCertificatePolicy}, which records why it refused (for the metrics), and the refusal
 * becomes a TLS alert. Never used for server certificates.
 */
final class DeferredClientTrust extends X509ExtendedTrustManager {

    private final Clock clock;

    DeferredClientTrust(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        Endpoint.Connection c = Endpoint.HANDSHAKING.get(engine);
        if (c == null) {
            throw new CertificateException("no endpoint connection for this handshake");
        }
        ClientCertificatePolicy.Verdict v = c.policy().judge(chain, clock.instant());
        c.recordVerdict(v);
        if (!v.accepted()) {
            throw Endpoint.refusedCertificate(v.refusal());
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("endpoints use SSLEngine");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("endpoints use SSLEngine");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("not a client trust manager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("not a client trust manager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("not a client trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
