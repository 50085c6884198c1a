package org.redissync.cert.registry;

import org.redissync.cert.TestAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;

import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.redissync.cert.MutableClock;
import org.redissync.cert.ca.KeyAlgorithm;
import org.redissync.cert.ca.Pem;
import org.redissync.events.pki.RenewalTime;
import org.redissync.events.CertRole;
import org.redissync.events.ClusterCertificateEvent.PublishedCertificate;
import org.redissync.events.ClusterCertificateEvent.RoleCertificatesPublished;
import org.redissync.testing.KafkaBrokerTestResource;

/** Rotation through the running service and the real broker, with the service's clock moved forward. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
class RotationIT {

    @Inject
    CertificateService service;

    @Inject
    MutableClock clock;

    @Inject
    org.redissync.cert.tls.ClusterTlsServer tls;

    @AfterEach
    void realTimeAgain() {
        clock.reset();
    }

    @Test
    void renewedAtTwoThirdsBothTrustedThroughTheOverlapTheOldOneDroppedAfter() throws Exception {
        RoleCertificatesPublished first = requestApiCertificate();
        PublishedCertificate old = first.current();
        Duration untilRenewal = Duration.between(clock.instant(),
                RenewalTime.renewAt(old.notBefore(), old.notAfter(), java.util.Optional.empty()));
        assertThat(untilRenewal).isBetween(Duration.ofDays(59), Duration.ofDays(61));

        clock.advance(untilRenewal);
        RoleCertificatesPublished second = requestApiCertificate();
        assertThat(second.generation()).isGreaterThan(first.generation());
        assertThat(second.trusted()).extracting(PublishedCertificate::fingerprintSha256)
                .containsExactly(second.current().fingerprintSha256(), old.fingerprintSha256());

        clock.advance(Duration.ofHours(23));
        service.pruneExpired();
        assertThat(service.current("cluster-a").get(CertRole.API).trusted()).hasSize(2);

        clock.advance(Duration.ofHours(2));
        service.pruneExpired();
        assertThat(service.current("cluster-a").get(CertRole.API).trusted()).extracting(PublishedCertificate::fingerprintSha256)
                .containsExactly(second.current().fingerprintSha256());
    }

    @Test
    void rotateAsksTheOwnerToReKey() {
        requestApiCertificate();
        long before = service.current("cluster-a").get(CertRole.API).rotationRequests();
        TestAdmin.admin().contentType(ContentType.JSON).queryParam("cluster", "cluster-a").body(Map.of("name", "api"))
                .post("/v1/cluster/certificates/rotate").then().statusCode(200);
        assertThat(service.current("cluster-a").get(CertRole.API).rotationRequests()).isEqualTo(before + 1);
    }

    private RoleCertificatesPublished requestApiCertificate() {
        try {
            var keys = KeyAlgorithm.EC_P256.generate();
            var csr = new JcaPKCS10CertificationRequestBuilder(new javax.security.auth.x500.X500Principal("CN=api"), keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            given().baseUri("https://127.0.0.1").port(tls.port()).trustStore(org.redissync.cert.api.CsrSigningIT.caTrust())
                    .contentType(ContentType.JSON).queryParam("cluster", "cluster-a").header("Authorization", "Bearer test-token-a")
                    .body(Map.of("name", "api", "csr", Pem.writeCsr(csr))).post("/v1/cluster/certificates/csr").then().statusCode(200);
            return service.current("cluster-a").get(CertRole.API);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
