package org.redissync.coordinator.cluster;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.redissync.coordinator.events.CoordinatorEvents;
import org.redissync.events.SuiteSettingsEvent.DataTlsSettings;
import org.redissync.coordinator.ApiCertificateTestResource;
import org.redissync.testing.KafkaBrokerTestResource;

/** GET/PUT /v1/cluster: RE's data TLS settings, checked, stored on suite.settings for every syncer-service. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ApiCertificateTestResource.class, scope = TestResourceScope.GLOBAL)
class ClusterSettingsIT {

    @Inject
    CoordinatorEvents events;

    static RequestSpecification admin() {
        return given().auth().preemptive().basic("admin", "test-admin-password").contentType(ContentType.JSON);
    }

    @Test
    void rePutOfTheDataTlsSettingsIsCheckedStoredAndShown() {
        admin().get("/v1/cluster").then().statusCode(200).body("min_data_TLS_version", equalTo("1.2"))
                .body("data_cipher_suites_tls_1_3", equalTo("TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"));
        String before = admin().get("/v1/cluster").asString();
        Object[][] refused = {
                {Map.of("min_data_TLS_version", "1.1"), "TLS 1.1 is not offered"},
                {Map.of("min_data_TLS_version", "1"), "TLS 1 is not offered"},
                {Map.of("min_data_TLS_version", "2.0"), "\"1.2\" or \"1.3\" expected"},
                {Map.of("data_cipher_list", "ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-GCM-SHA256"), "ECDHE-RSA-AES128-SHA is not a cipher"},
                {Map.of("data_cipher_suites_tls_1_3", "TLS_AES_128_CCM_SHA256"), "TLS_AES_128_CCM_SHA256 is not a TLS 1.3 suite"},
                {Map.of("data_internode_encryption", true), "data_internode_encryption: not a cluster field"}};
        for (Object[] r : refused) {
            admin().body(r[0]).put("/v1/cluster").then().statusCode(406).body("description", containsString((String) r[1]));
        }
        admin().body(Map.of("min_data_TLS_version", "1.3")).put("/v1/cluster?dry_run").then().statusCode(200)
                .body("min_data_TLS_version", equalTo("1.3"));
        given().auth().preemptive().basic("viewer", "test-viewer-password").contentType(ContentType.JSON)
                .body(Map.of("min_data_TLS_version", "1.3")).put("/v1/cluster").then().statusCode(403);
        assertThat(admin().get("/v1/cluster").asString()).isEqualTo(before);

        // RE's spellings: OpenSSL names, ':'-separated
        admin().body(Map.of("min_data_TLS_version", "1.3", "data_cipher_list", "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384",
                "data_cipher_suites_tls_1_3", "TLS_AES_256_GCM_SHA384")).put("/v1/cluster").then().statusCode(200)
                .body("min_data_TLS_version", equalTo("1.3"))
                .body("data_cipher_list", equalTo("ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384"))
                .body("data_cipher_suites_tls_1_3", equalTo("TLS_AES_256_GCM_SHA384"));
        DataTlsSettings stored = (DataTlsSettings) events.settings().get(DataTlsSettings.KEY).orElseThrow();
        assertThat(stored.protocols()).containsExactly("TLSv1.3");
        assertThat(stored.ciphers()).containsExactly("TLS_AES_256_GCM_SHA384");
        assertThat(stored.cipherSuitesTls12()).containsExactly("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        // a partial PUT keeps the rest
        admin().body(Map.of("min_data_TLS_version", "1.2")).put("/v1/cluster").then().statusCode(200)
                .body("data_cipher_suites_tls_1_3", equalTo("TLS_AES_256_GCM_SHA384"));
        assertThat(((DataTlsSettings) events.settings().get(DataTlsSettings.KEY).orElseThrow()).ciphers())
                .containsExactly("TLS_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        // back to the defaults for the other tests of this JVM
        admin().body(Map.of("data_cipher_list", "", "data_cipher_suites_tls_1_3", "")).put("/v1/cluster").then().statusCode(200)
                .body("data_cipher_suites_tls_1_3", equalTo("TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"));
    }
}
