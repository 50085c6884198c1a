package org.redissync.syncer.endpoint;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

/**
 * The endpoints' TLS: TLS 1.2 and 1.3 (1.3 only when the cluster asks, RE's {@code min_data_TLS_version}),
 * AES-GCM suites only (ChaCha20 is ten times slower on the JVM), client certificates requested and
 * judged by {@link DeferredClientTrust}, OpenSSL when netty-tcnative is present, else the JDK.
 */
final class ServerTls {

    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");

    private ServerTls() {
    }

    static SslContext context(PrivateKey key, List<X509Certificate> chain, boolean tls13Only, Clock clock) {
        try {
            return SslContextBuilder.forServer(key, chain)
                    .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                    .protocols(tls13Only ? new String[] {"TLSv1.3"} : new String[] {"TLSv1.3", "TLSv1.2"})
                    .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .clientAuth(ClientAuth.OPTIONAL)
                    .trustManager(new DeferredClientTrust(clock))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the endpoint TLS context: " + e.getMessage(), e);
        }
    }
}
