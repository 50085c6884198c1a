package org.redissync.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server of the same CA, for the same host, that is someone else: a client that knows whom it calls
 * refuses it in the handshake, before a request (with its credentials) is sent.
 */
class PeerIdentityIT {

    static final String API = PeerIdentity.of("control-plane", "api");

    record Issued(KeyPair keys, X509Certificate cert) {
    }

    static Issued issue(Issued ca, String cn, String... uris) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        X500Name subject = new X500Name("CN=" + cn);
        var b = new JcaX509v3CertificateBuilder(ca == null ? subject : new X500Name(ca.cert().getSubjectX500Principal().getName()),
                BigInteger.valueOf(System.nanoTime()), Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plus(Duration.ofDays(1))),
                subject, kp.getPublic());
        if (ca == null) {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        } else {
            GeneralName[] names = new GeneralName[uris.length + 1];
            names[0] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
            for (int i = 0; i < uris.length; i++) {
                names[i + 1] = new GeneralName(GeneralName.uniformResourceIdentifier, uris[i]);
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(ca == null ? kp.getPrivate() : ca.keys().getPrivate());
        return new Issued(kp, new JcaX509CertificateConverter().getCertificate(b.build(signer)));
    }

    static String pem(X509Certificate c) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(c.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    /** An HTTPS server on loopback presenting {@code leaf}; counts the requests that reach it. */
    static HttpsServer serve(Issued leaf, Issued ca, AtomicInteger requests) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", leaf.keys().getPrivate(), "x".toCharArray(), new X509Certificate[] {leaf.cert(), ca.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "x".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    static int call(SSLContext ctx, HttpsServer server) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(ctx).build();
        return http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/v1/bdbs"))
                .header("Authorization", "Basic YWRtaW46c2VjcmV0").build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void anotherClustersCertificateOfTheSameCaForTheSameHostIsRefusedBeforeAnyRequestIsSent(@TempDir Path dir) throws Exception {
        Issued ca = issue(null, "suite CA");
        Path caPem = Files.writeString(dir.resolve("ca.pem"), pem(ca.cert()));
        AtomicInteger reached = new AtomicInteger();
        HttpsServer impostor = serve(issue(ca, "api.cluster-a", PeerIdentity.of("cluster-a", "api")), ca, reached);
        HttpsServer genuine = serve(issue(ca, "api.control-plane", API), ca, reached);
        try {
            // by hostname alone (what clients did): the impostor gets the request and its Basic credentials
            assertThat(call(PeerIdentity.clientContext(caPem, Optional.empty()), impostor)).isEqualTo(200);
            assertThat(reached).hasValue(1);

            SSLContext checking = PeerIdentity.clientContext(caPem, Optional.of(API));
            assertThatThrownBy(() -> call(checking, impostor)).hasStackTraceContaining("is not " + API)
                    .hasStackTraceContaining(PeerIdentity.of("cluster-a", "api"));
            assertThat(reached).as("nothing reached the impostor").hasValue(1);
            assertThat(call(checking, genuine)).isEqualTo(200);
            assertThat(reached).hasValue(2);
        } finally {
            impostor.stop(0);
            genuine.stop(0);
        }
    }

    @Test
    void aCertificateWithoutAnyUrnIsRefusedAndTheMessageSaysWhatItNames() throws Exception {
        Issued ca = issue(null, "suite CA");
        X509Certificate plain = issue(ca, "somebody").cert();
        assertThatThrownBy(() -> PeerIdentity.require(plain, API)).hasMessageContaining("is not " + API)
                .hasMessageContaining("no URN identity").hasMessageContaining("CN=somebody");
        PeerIdentity.require(issue(ca, "api", "urn:other", API).cert(), API);
    }

    @Test
    void aCaFileWithoutCertificatesIsRefused(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("ca.pem"), "");
        assertThatThrownBy(() -> PeerIdentity.clientContext(empty, Optional.of(API))).hasMessageContaining("no certificate");
    }
}
