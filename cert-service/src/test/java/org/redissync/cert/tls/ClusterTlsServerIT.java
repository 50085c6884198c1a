package org.redissync.cert.tls;

import org.redissync.cert.TestAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.redissync.cert.TestPki;
import org.redissync.certclient.CertificateMaterial;
import org.redissync.certclient.CertificateRequester;
import org.redissync.events.CertRole;
import org.redissync.cert.ca.KeyAlgorithm;
import org.redissync.cert.ca.Keys;
import org.redissync.cert.ca.Pem;
import org.redissync.testing.KafkaBrokerTestResource;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The clusters' TLS listener: server verified by the CA, token or client certificate, keys only to their cluster. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
class ClusterTlsServerIT {

    @Inject
    ClusterTlsServer server;

    @Inject
    org.redissync.cert.ca.CaHolder ca;

    @Test
    void aTokenGetsTheFirstCertificateAndThatCertificateAloneAuthenticatesTheRenewal() throws Exception {
        X509Certificate ca = Pem.certificates(given().get("/v1/cluster/certificates/ca").asString()).get(0);
        KeyPair first = KeyAlgorithm.EC_P256.generate();
        var issued = post(client(ca, null, null), "cluster-a", csr(first), "test-token-a");
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
        List<X509Certificate> chain = Pem.certificates(new ObjectMapper().readTree(issued.body()).get("certificate").asText());

        HttpClient withCert = client(ca, chain, first);
        var renewed = post(withCert, "cluster-a", csr(KeyAlgorithm.EC_P256.generate()), null);
        assertThat(renewed.statusCode()).as(renewed.body()).isEqualTo(200);
        // A certificate of cluster-a does not speak for cluster-b.
        var elsewhere = post(withCert, "cluster-b", csr(KeyAlgorithm.EC_P256.generate()), null);
        assertThat(elsewhere.statusCode()).isEqualTo(401);
        assertThat(elsewhere.body()).contains("\"error_code\":\"unauthenticated\"");
        // Nor does nothing at all.
        assertThat(post(client(ca, null, null), "cluster-a", csr(KeyAlgorithm.EC_P256.generate()), null).statusCode()).isEqualTo(401);
    }

    @Test
    void theServicesClientRenewsOverMutualTlsWithItsCurrentCertificateWithoutTheToken() throws Exception {
        java.nio.file.Path caFile = caFile();
        String url = "https://127.0.0.1:" + server.port();
        CertificateMaterial first = new CertificateRequester(new CertificateRequester.Target(url, "cluster-a", "test-token-a", caFile))
                .request(CertRole.SYNCER, List.of());
        // a client whose token is wrong: refused by token, yet renews with the certificate it holds (no token sent)
        var held = new java.util.concurrent.atomic.AtomicReference<>(first);
        var tokenless = new CertificateRequester(new CertificateRequester.Target(url, "cluster-a", "not-the-token", caFile),
                () -> java.util.Optional.of(held.get()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tokenless.bootstrap(CertRole.SYNCER, List.of()))
                .hasMessageContaining("401");
        CertificateMaterial renewed = tokenless.request(CertRole.SYNCER, List.of());
        assertThat(renewed.leaf().getSerialNumber()).isNotEqualTo(first.leaf().getSerialNumber());
        assertThat(renewed.leaf().getPublicKey()).as("a renewal re-keys").isNotEqualTo(first.leaf().getPublicKey());
        held.set(renewed);
        // the syncer's (client) certificate renews the cluster's proxy certificate too
        CertificateMaterial proxy = tokenless.request(CertRole.PROXY, List.of("localhost"));
        assertThat(org.redissync.identity.PeerIdentity.uris(proxy.leaf())).contains("urn:redis-sync:cluster:cluster-a:proxy");
        // it speaks for its own cluster only
        var elsewhere = new CertificateRequester(new CertificateRequester.Target(url, "cluster-b", "not-the-token", caFile),
                () -> java.util.Optional.of(renewed));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> elsewhere.request(CertRole.SYNCER, List.of())).hasMessageContaining("401");
    }

    @Test
    void anExpiredBootstrapTokenIsRefusedNamedWhileTheClustersCurrentCertificateStillRenews() throws Exception {
        java.nio.file.Path caFile = caFile();
        String url = "https://127.0.0.1:" + server.port();
        // cluster-d's token expired (test profile: token-expires-at in the past)
        var byToken = new CertificateRequester(new CertificateRequester.Target(url, "cluster-d", "test-token-d", caFile));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> byToken.request(CertRole.SYNCER, List.of()))
                .hasMessageContaining("401").hasMessageContaining("token_expired");
        // a certificate cluster-d got while its token was good renews it
        KeyPair keys = KeyAlgorithm.EC_P256.generate();
        List<X509Certificate> chain = ca.authority().issue(keys.getPublic(), new org.redissync.cert.ca.CertificateAuthority.Profile(
                new X500Principal("CN=syncer.cluster-d"), List.of(new org.bouncycastle.asn1.x509.GeneralName(
                org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier, "urn:redis-sync:cluster:cluster-d:syncer")),
                false, true, Duration.ofHours(1)));
        var byCertificate = new CertificateRequester(new CertificateRequester.Target(url, "cluster-d", "test-token-d", caFile),
                () -> java.util.Optional.of(new CertificateMaterial(keys.getPrivate(), chain)));
        assertThat(byCertificate.request(CertRole.SYNCER, List.of()).leaf().getSubjectX500Principal().getName()).contains("cluster-d");
    }

    private static java.nio.file.Path caFile() throws java.io.IOException {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("ca", ".pem");
        java.nio.file.Files.writeString(f, given().get("/v1/cluster/certificates/ca").asString());
        f.toFile().deleteOnExit();
        return f;
    }

    @Test
    void anOperatorSuppliedKeyGoesOnlyToItsOwnClusterAndNeverOverPlainHttp() throws Exception {
        TestPki.Issued opCa = TestPki.ca("op");
        TestPki.Issued leaf = TestPki.leaf(opCa, "syncer.c", Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(5)),
                KeyPurposeId.id_kp_clientAuth);
        TestAdmin.admin().contentType(ContentType.JSON).queryParam("cluster", "cluster-c")
                .body(Map.of("name", "syncer", "certificate", Pem.write(leaf.cert(), opCa.cert()), "key",
                        Pem.writePrivateKey(leaf.keys().getPrivate())))
                .put("/v1/cluster/update_cert").then().statusCode(200);
        X509Certificate ca = Pem.certificates(given().get("/v1/cluster/certificates/ca").asString()).get(0);
        HttpClient tls = client(ca, null, null);

        var mine = get(tls, "/v1/cluster/keys/syncer?cluster=cluster-c", "test-token-c");
        assertThat(mine.statusCode()).isEqualTo(200);
        assertThat(Keys.matches(Pem.privateKey(mine.body()), leaf.cert().getPublicKey())).isTrue();
        assertThat(get(tls, "/v1/cluster/keys/syncer?cluster=cluster-c", "test-token-a").statusCode()).isEqualTo(401);
        // a role whose key was never supplied (UpdateCertIT supplies cluster-c's proxy key in the same run)
        assertThat(get(tls, "/v1/cluster/keys/api?cluster=cluster-c", "test-token-c").statusCode()).isEqualTo(404);
        given().get("/v1/cluster/keys/syncer?cluster=cluster-c").then().statusCode(405);
    }

    @Test
    void aReplicaOfClientKeyGoesOnlyToItsOwnClusterOverTlsAndIsCheckedAgainstItsCertificate() throws Exception {
        TestPki.Issued opCa = TestPki.ca("op");
        TestPki.Issued leaf = TestPki.leaf(opCa, "replica.destination", Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(5)),
                KeyPurposeId.id_kp_clientAuth);
        TestPki.Issued other = TestPki.leaf(opCa, "other", Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(5)),
                KeyPurposeId.id_kp_clientAuth);
        String id = "bdb7-source1-0123456789abcdef";
        TestAdmin.admin().contentType(ContentType.JSON).queryParam("cluster", "cluster-c")
                .body(Map.of("certificate", Pem.write(leaf.cert()), "key", Pem.writePrivateKey(other.keys().getPrivate())))
                .put("/v1/cluster/client_keys/" + id).then().statusCode(406).body("error_code", org.hamcrest.Matchers.equalTo("key_mismatch"));
        TestAdmin.admin().contentType(ContentType.JSON).queryParam("cluster", "cluster-c")
                .body(Map.of("certificate", Pem.write(leaf.cert()), "key", Pem.writePrivateKey(leaf.keys().getPrivate())))
                .put("/v1/cluster/client_keys/../../ca").then().statusCode(404);
        String answer = TestAdmin.admin().contentType(ContentType.JSON).queryParam("cluster", "cluster-c")
                .body(Map.of("certificate", Pem.write(leaf.cert()), "key", Pem.writePrivateKey(leaf.keys().getPrivate())))
                .put("/v1/cluster/client_keys/" + id).then().statusCode(200).extract().asString();
        assertThat(answer).doesNotContain("PRIVATE KEY").contains(id);
        X509Certificate ca = Pem.certificates(given().get("/v1/cluster/certificates/ca").asString()).get(0);
        HttpClient tls = client(ca, null, null);
        var mine = get(tls, "/v1/cluster/client_keys/" + id + "?cluster=cluster-c", "test-token-c");
        assertThat(mine.statusCode()).isEqualTo(200);
        assertThat(Keys.matches(Pem.privateKey(mine.body()), leaf.cert().getPublicKey())).isTrue();
        assertThat(get(tls, "/v1/cluster/client_keys/" + id + "?cluster=cluster-c", "test-token-a").statusCode()).isEqualTo(401);
        assertThat(get(tls, "/v1/cluster/client_keys/" + id + "?cluster=cluster-a", "test-token-a").statusCode()).isEqualTo(404);
        given().get("/v1/cluster/client_keys/" + id + "?cluster=cluster-c").then().statusCode(405);

        // a Replica Of source's password: the same way, only to its cluster, only over TLS
        TestAdmin.admin().contentType(ContentType.JSON).queryParam("cluster", "cluster-c").body(Map.of("secret", "s3cret pw"))
                .put("/v1/cluster/secrets/bdb7-source1-pw-0123456789abcdef").then().statusCode(200)
                .body(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("s3cret")));
        var pw = get(tls, "/v1/cluster/secrets/bdb7-source1-pw-0123456789abcdef?cluster=cluster-c", "test-token-c");
        assertThat(pw.statusCode()).isEqualTo(200);
        assertThat(pw.body()).isEqualTo("s3cret pw");
        assertThat(get(tls, "/v1/cluster/secrets/bdb7-source1-pw-0123456789abcdef?cluster=cluster-c", "test-token-a").statusCode())
                .isEqualTo(401);
        given().get("/v1/cluster/secrets/bdb7-source1-pw-0123456789abcdef?cluster=cluster-c").then().statusCode(405);
    }

    private HttpResponse<String> post(HttpClient client, String cluster, String csr, String token) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/v1/cluster/certificates/csr?cluster=" + cluster))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new ObjectMapper().writeValueAsString(Map.of("name", "syncer", "csr", csr))));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(HttpClient client, String path, String token) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String csr(KeyPair keys) throws Exception {
        return Pem.writeCsr(new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=x"), keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    /** An HTTPS client trusting only the suite's CA, optionally presenting a client certificate. */
    private static HttpClient client(X509Certificate ca, List<X509Certificate> chain, KeyPair keys) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (chain != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("me", keys.getPrivate(), new char[0], chain.toArray(X509Certificate[]::new));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    }
}
