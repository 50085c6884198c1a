package org.redissync.coordinator.ui;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;

import java.util.Map;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import org.junit.jupiter.api.Test;
import org.redissync.coordinator.ApiCertificateTestResource;
import org.redissync.coordinator.TestCerts;
import org.redissync.testing.KafkaBrokerTestResource;

/** {@code /ui-api}: typed answers (what {@code /q/openapi} describes) in the JSON the UI reads. */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ApiCertificateTestResource.class, scope = TestResourceScope.GLOBAL)
class UiApiIT {

    @Test
    void theSessionSaysWhoIsSignedInAndTheClusters() {
        given().auth().preemptive().basic("viewer", "test-viewer-password").get("/ui-api/session").then().statusCode(200)
                .body("username", equalTo("viewer")).body("role", equalTo("viewer")).body("clusters.size()", org.hamcrest.Matchers.greaterThan(0));
        given().get("/ui-api/session").then().statusCode(401);
    }

    @Test
    void aPastedCertificateIsDescribedAndABrokenOneRefusedWithTheApisError() {
        given().auth().preemptive().basic("viewer", "test-viewer-password").contentType(ContentType.JSON)
                .body(Map.of("pem", TestCerts.valid("app.example.com"))).post("/ui-api/certificate").then().statusCode(200)
                .body("use", equalTo("pinned_leaf")).body("certificates", hasSize(1))
                .body("certificates[0].subject", equalTo("CN=app.example.com")).body("certificates[0].expired", equalTo(false))
                .body("certificates[0].ca", equalTo(false)).body("certificates[0].sha256", matchesPattern("[0-9a-fA-F:]{64,}"))
                .body("certificates[0].not_after", matchesPattern("\\d{4}-.*Z"));
        given().auth().preemptive().basic("viewer", "test-viewer-password").contentType(ContentType.JSON)
                .body(Map.of("pem", TestCerts.ca("clients CA"))).post("/ui-api/certificate").then().statusCode(200)
                .body("use", equalTo("ca_chain")).body("certificates.ca", contains(true));
        given().auth().preemptive().basic("viewer", "test-viewer-password").contentType(ContentType.JSON)
                .body(Map.of("pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")).post("/ui-api/certificate")
                .then().statusCode(406).body("error_code", equalTo("invalid_certificate"));
    }
}
