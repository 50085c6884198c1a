package org.redissync.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.redissync.coordinator.api.ApiCertificate;
import org.redissync.identity.PeerIdentity;
import org.redissync.testing.KafkaBrokerTestResource;

/**
 * The API over Quarkus's own HTTPS with the TLS configuration {@code api}: the certificate from ApiCertificate (here
 * operator files made at run time), TLS 1.2 and 1.3 only, clients verify the API by its URN, and a renewed certificate
 * is served to new connections without a restart.
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ApiCertificateTestResource.class, scope = TestResourceScope.GLOBAL)
class ApiHttpsIT {

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    @ConfigProperty(name = ApiCertificateTestResource.CERTIFICATE_KEY)
    String certificateFile;

    @ConfigProperty(name = "redissync.api.key-file")
    String keyFile;

    @Inject
    @Identifier(ApiCertificate.TLS_CONFIGURATION)
    ApiCertificate certificate;

    @Test
    void theApiIsServedOverHttpsAndVerifiedByItsIdentity() throws Exception {
        HttpResponse<String> r = get("/v1/bdbs", "admin:test-admin-password");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.sslSession().orElseThrow().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(PeerIdentity.uris((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0]))
                .contains(ApiCertificateTestResource.IDENTITY);
        // the RE error body for a wrong password, over TLS as over anything
        assertThat(get("/v1/bdbs", "admin:wrong").statusCode()).isEqualTo(401);
        // a client that expects another identity (a data cluster's proxy, say) refuses this certificate
        HttpClient impostorCheck = HttpClient.newBuilder().sslContext(PeerIdentity.clientContext(Path.of(certificateFile),
                Optional.of(PeerIdentity.of("cluster-a", "proxy")))).build();
        assertThatThrownBy(() -> impostorCheck.send(HttpRequest.newBuilder(URI.create(https + "v1/bdbs")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void tls12AndTls13AreBothServed() throws Exception {
        // Quarkus's default is TLS 1.3 only; Redis Enterprise's API clients may be 1.2 ones
        assertThat(handshake("TLSv1.2")).isEqualTo("TLSv1.2");
        assertThat(handshake("TLSv1.3")).isEqualTo("TLSv1.3");
    }

    @Test
    void aRenewedCertificateIsServedToNewConnectionsWithoutARestart() throws Exception {
        String before = Files.readString(Path.of(certificateFile));
        TestCerts.WithKey next = TestCerts.server("api.control-plane.renewed", ApiCertificateTestResource.IDENTITY);
        Files.writeString(Path.of(keyFile), next.keyPem());
        Files.writeString(Path.of(certificateFile), next.certificatePem());
        certificate.renew();
        HttpResponse<String> r = get("/v1/bdbs", "viewer:test-viewer-password");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0]).getSubjectX500Principal().getName())
                .isEqualTo("CN=api.control-plane.renewed");
        assertThat(next.certificatePem()).isNotEqualTo(before);
    }

    private HttpResponse<String> get(String path, String userPassword) throws Exception {
        // a new client each time: a new connection, so it sees the certificate served now
        HttpClient client = HttpClient.newBuilder().sslContext(PeerIdentity.clientContext(Path.of(certificateFile),
                Optional.of(ApiCertificateTestResource.IDENTITY))).build();
        return client.send(HttpRequest.newBuilder(URI.create(https + path.substring(1)))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private String handshake(String protocol) throws Exception {
        SSLContext ctx = PeerIdentity.clientContext(Path.of(certificateFile), Optional.of(ApiCertificateTestResource.IDENTITY));
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(https.getHost(), https.getPort())) {
            s.setEnabledProtocols(new String[] {protocol});
            s.startHandshake();
            return s.getSession().getProtocol();
        }
    }
}
