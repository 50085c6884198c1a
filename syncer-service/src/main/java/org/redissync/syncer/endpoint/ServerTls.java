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

    private ServerTls() {
    }

    /** OpenSSL (BoringSSL) when present, unless the settings narrow the TLS 1.3 suites, which only the JDK's TLS can do. */
    static SslProvider provider(org.redissync.events.SuiteSettingsEvent.DataTlsSettings settings) {
        return OpenSsl.isAvailable() && !settings.tls13Narrowed() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** The endpoints' context under the suite's data TLS settings (RE's {@code min_data_TLS_version} and cipher lists). */
    static SslContext context(PrivateKey key, List<X509Certificate> chain, org.redissync.events.SuiteSettingsEvent.DataTlsSettings settings,
            Clock clock) {
        try {
            return SslContextBuilder.forServer(key, chain)
                    .sslProvider(provider(settings))
                    .protocols(settings.protocols())
                    .ciphers(settings.ciphers(), SupportedCipherSuiteFilter.INSTANCE)
                    .clientAuth(ClientAuth.OPTIONAL)
                    .trustManager(new DeferredClientTrust(clock))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the endpoint TLS context: " + e.getMessage(), e);
        }
    }
}
