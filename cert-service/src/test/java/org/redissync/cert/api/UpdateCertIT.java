package org.redissync.cert.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redissync.cert.TestAdmin;
import org.redissync.cert.TestPki;
import org.redissync.cert.ca.Pem;
import org.redissync.testing.KafkaBrokerTestResource;

/** Operator-supplied certificates (update_cert and the list form): checked before anything changes. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
class UpdateCertIT {

    static final String CLUSTER = "cluster-c";
    TestPki.Issued operatorCa;

    @BeforeEach
    void operatorPki() {
        operatorCa = TestPki.ca("operator CA");
    }

    @Test
    void aValidSyncerCertificateIsTakenPublishedWithoutItsKeyAndTheKeyKeptOwnerOnly() throws Exception {
        TestPki.Issued leaf = TestPki.leaf(operatorCa, "syncer.c", Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(30)),
                KeyPurposeId.id_kp_clientAuth);
        updateCert("syncer", Pem.write(TestPki.chain(leaf, operatorCa)), Pem.writePrivateKey(leaf.keys().getPrivate()))
                .then().statusCode(200).body("certificates[0].name", equalTo("syncer"))
                .body("certificates[0].fingerprint", equalTo(Pem.fingerprint(leaf.cert())));
        String listed = given().queryParam("cluster", CLUSTER).get("/v1/cluster/certificates").then().statusCode(200).extract().asString();
        assertThat(listed).contains(Pem.write(leaf.cert()).trim().split("\n")[1]).doesNotContain("PRIVATE KEY");
        Path key = Path.of("target/cert-state/keys", CLUSTER, "syncer.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
    }

    private static void everyAdministrativeCall(java.util.function.Supplier<io.restassured.specification.RequestSpecification> as,
            TestPki.Issued leaf, Map<String, String> body, int status, String code) {
        as.get().contentType(ContentType.JSON).queryParam("cluster", CLUSTER).body(body).put("/v1/cluster/update_cert")
                .then().statusCode(status).body("error_code", equalTo(code));
        as.get().contentType(ContentType.JSON).queryParam("cluster", CLUSTER).body(Map.of("certificates", List.of(body)))
                .put("/v1/cluster/certificates").then().statusCode(status).body("error_code", equalTo(code));
        as.get().contentType(ContentType.JSON).queryParam("cluster", CLUSTER).body(Map.of("name", "proxy"))
                .post("/v1/cluster/certificates/rotate").then().statusCode(status).body("error_code", equalTo(code));
        as.get().contentType(ContentType.JSON).queryParam("cluster", CLUSTER)
                .body(Map.of("certificate", Pem.write(leaf.cert()), "key", Pem.writePrivateKey(leaf.keys().getPrivate())))
                .put("/v1/cluster/client_keys/bdb1-source1-0123456789abcdef").then().statusCode(status).body("error_code", equalTo(code));
        as.get().contentType(ContentType.JSON).queryParam("cluster", CLUSTER).body(Map.of("secret", "pw"))
                .put("/v1/cluster/secrets/bdb1-source1-pw-0123456789abcdef").then().statusCode(status).body("error_code", equalTo(code));
    }

    @Test
    void withoutTheApiCertificateAndTheAdminTokenEveryCallThatTakesKeysOrChangesCertificatesIsRefusedAndChangesNothing() {
        String before = current();
        TestPki.Issued leaf = TestPki.leaf(operatorCa, "proxy.c", Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(30)),
                KeyPurposeId.id_kp_serverAuth);
        Map<String, String> body = Map.of("name", "proxy", "certificate", Pem.write(leaf.cert()), "key",
                Pem.writePrivateKey(leaf.keys().getPrivate()));
        // the API's certificate, with no token or a wrong one: 401
        for (String authorization : new String[] {null, "Bearer test-token-c", "Bearer " + TestAdmin.TOKEN + "x", "Basic YWRtaW46eA=="}) {
            everyAdministrativeCall(() -> authorization == null ? TestAdmin.asApi() : TestAdmin.asApi().header("Authorization", authorization),
                    leaf, body, 401, "unauthenticated");
        }
        // the admin token without the API's certificate (none, or a syncer's of the same CA), or over plain HTTP: 403
        String token = "Bearer " + TestAdmin.TOKEN;
        everyAdministrativeCall(() -> TestAdmin.anonymous().header("Authorization", token), leaf, body, 403, "admin_identity_required");
        everyAdministrativeCall(() -> TestAdmin.asSyncer("cluster-a").header("Authorization", token), leaf, body, 403, "admin_identity_required");
        everyAdministrativeCall(() -> given().header("Authorization", token), leaf, body, 403, "admin_identity_required");
        assertThat(current()).isEqualTo(before);
    }

    @Test
    void anExpiredCertificateAMismatchedKeyGarbageAWrongUsageAndABadChainAreEachRefusedAndChangeNothing() {
        String before = current();
        TestPki.Issued expired = TestPki.leaf(operatorCa, "proxy.c", Instant.now().minus(Duration.ofDays(10)),
                Instant.now().minus(Duration.ofDays(1)), KeyPurposeId.id_kp_serverAuth);
        refused(updateCert("proxy", Pem.write(expired.cert()), Pem.writePrivateKey(expired.keys().getPrivate())), 406,
                "certificate_expired");

        TestPki.Issued good = TestPki.leaf(operatorCa, "proxy.c", Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(9)),
                KeyPurposeId.id_kp_serverAuth);
        TestPki.Issued other = TestPki.leaf(operatorCa, "other", Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(9)),
                KeyPurposeId.id_kp_serverAuth);
        refused(updateCert("proxy", Pem.write(good.cert()), Pem.writePrivateKey(other.keys().getPrivate())), 406, "key_mismatch");
        refused(updateCert("proxy", "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n",
                Pem.writePrivateKey(good.keys().getPrivate())), 400, "invalid_certificate");
        refused(updateCert("proxy", Pem.write(good.cert()), "not a key"), 400, "invalid_key");
        refused(updateCert("syncer", Pem.write(good.cert()), Pem.writePrivateKey(good.keys().getPrivate())), 406, "wrong_key_usage");
        TestPki.Issued stranger = TestPki.ca("someone else");
        refused(updateCert("proxy", Pem.write(good.cert(), stranger.cert()), Pem.writePrivateKey(good.keys().getPrivate())), 406,
                "invalid_chain");
        refused(updateCert("dba", Pem.write(good.cert()), Pem.writePrivateKey(good.keys().getPrivate())), 400, "invalid_name");
        assertThat(current()).isEqualTo(before);
    }

    /** RE's {@code rladmin cluster certificate set proxy certificate_file /tmp/proxy.pem}: no key_file. */
    @Test
    void aCertificateWithoutItsKeyIsTakenOnlyForTheKeyTheRoleHasNow() {
        TestPki.Issued first = TestPki.leaf(operatorCa, "proxy.c", Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(9)),
                KeyPurposeId.id_kp_serverAuth);
        updateCert("proxy", Pem.write(first.cert()), Pem.writePrivateKey(first.keys().getPrivate())).then().statusCode(200);
        String before = current();
        TestPki.Issued stranger = TestPki.leaf(operatorCa, "proxy.c", Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(9)),
                KeyPurposeId.id_kp_serverAuth);
        refused(updateCert("proxy", Pem.write(stranger.cert()), null), 406, "key_mismatch");
        refused(updateCert("api", Pem.write(stranger.cert()), null), 400, "invalid_key");
        assertThat(current()).isEqualTo(before);
        TestPki.Issued renewed = TestPki.leafFor(operatorCa, first.keys(), "proxy.c", Instant.now().minusSeconds(30),
                Instant.now().plus(Duration.ofDays(90)), KeyPurposeId.id_kp_serverAuth);
        updateCert("proxy", Pem.write(renewed.cert()), null).then().statusCode(200)
                .body("certificates[0].fingerprint", equalTo(Pem.fingerprint(renewed.cert())));
    }

    @Test
    void aFieldTheseCallsDoNotTakeIsRefusedByNameNotIgnored() {
        String before = current();
        TestAdmin.admin().contentType(ContentType.JSON).queryParam("cluster", CLUSTER)
                .body(Map.of("name", "proxy", "certificate", "x", "key", "y", "ocsp_responder", "http://ocsp.example"))
                .put("/v1/cluster/update_cert").then().statusCode(400).body("error_code", equalTo("invalid_request"))
                .body("description", org.hamcrest.Matchers.containsString("unknown field 'ocsp_responder'"));
        TestAdmin.admin().contentType(ContentType.JSON).queryParam("cluster", CLUSTER).body(Map.of("secret", "pw", "ttl", 5))
                .put("/v1/cluster/secrets/bdb1-source1-pw-0123456789abcdef").then().statusCode(400)
                .body("description", org.hamcrest.Matchers.containsString("unknown field 'ttl'"));
        assertThat(current()).isEqualTo(before);
    }

    @Test
    void theListFormIsAllOrNothing() {
        String before = current();
        TestPki.Issued proxy = TestPki.leaf(operatorCa, "proxy.c", Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(9)),
                KeyPurposeId.id_kp_serverAuth);
        TestPki.Issued expiredApi = TestPki.leaf(operatorCa, "api.c", Instant.now().minus(Duration.ofDays(3)),
                Instant.now().minus(Duration.ofDays(2)), KeyPurposeId.id_kp_serverAuth);
        TestAdmin.admin().contentType(ContentType.JSON).queryParam("cluster", CLUSTER)
                .body(Map.of("certificates", List.of(
                        Map.of("name", "proxy", "certificate", Pem.write(proxy.cert()), "key", Pem.writePrivateKey(proxy.keys().getPrivate())),
                        Map.of("name", "api", "certificate", Pem.write(expiredApi.cert()), "key",
                                Pem.writePrivateKey(expiredApi.keys().getPrivate())))))
                .put("/v1/cluster/certificates").then().statusCode(406).body("error_code", equalTo("certificate_expired"));
        assertThat(current()).isEqualTo(before);
    }

    private String current() {
        return given().queryParam("cluster", CLUSTER).get("/v1/cluster/certificates").then().statusCode(200).extract().asString();
    }

    private static io.restassured.response.Response updateCert(String name, String certificate, String key) {
        Map<String, String> body = new java.util.HashMap<>(Map.of("name", name, "certificate", certificate));
        if (key != null) {
            body.put("key", key);
        }
        return TestAdmin.admin().contentType(ContentType.JSON).queryParam("cluster", CLUSTER).body(body).put("/v1/cluster/update_cert");
    }

    private static void refused(io.restassured.response.Response r, int status, String code) {
        r.then().statusCode(status).body("error_code", equalTo(code));
        assertThat(r.asString()).doesNotContain("PRIVATE KEY");
    }
}
