package org.redissync.coordinator.cluster;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

import org.junit.jupiter.api.Test;
import org.redissync.coordinator.ApiCertificateTestResource;
import org.redissync.testing.KafkaBrokerTestResource;

/**
 * {@code /v1/cluster/...}: only RE's five certificate calls reach cert-service. Its TLS listener serves more, and
 * would take the coordinator's own certificate for the caller: key and secret delivery, CSR signing. None of those is
 * forwarded, for any user (here without a cert-service at all: a forwarded call would answer 503, not 404).
 */
@QuarkusTest
@WithTestResource(value = KafkaBrokerTestResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ApiCertificateTestResource.class, scope = TestResourceScope.GLOBAL)
class ClusterCertificatesForwarderIT {

    static RequestSpecification as(String user, String password) {
        return given().auth().preemptive().basic(user, password).contentType(ContentType.JSON);
    }

    @Test
    void onlyRedisEnterprisesCertificateCallsAreForwarded() {
        for (String user : new String[] {"viewer", "admin"}) {
            RequestSpecification r = as(user, "test-" + user + "-password");
            for (String path : new String[] {"keys/api?cluster=control-plane", "keys/proxy", "client_keys/x?cluster=control-plane",
                    "secrets/x?cluster=control-plane", "certificates/csr", "nothing"}) {
                r.get("/v1/cluster/" + path).then().statusCode(404).body("error_code", equalTo("not_found"));
            }
        }
        RequestSpecification admin = as("admin", "test-admin-password");
        admin.body("{\"csr\": \"x\", \"role\": \"api\"}").post("/v1/cluster/certificates/csr").then().statusCode(404);
        admin.body("{\"certificate\": \"x\", \"key\": \"y\"}").put("/v1/cluster/client_keys/x").then().statusCode(404);
        admin.body("{\"secret\": \"x\"}").put("/v1/cluster/secrets/x").then().statusCode(404);
        // the five RE calls are routed (to a cert-service this test has none of)
        as("viewer", "test-viewer-password").get("/v1/cluster/certificates").then().statusCode(503).body("error_code", equalTo("unavailable"));
        as("viewer", "test-viewer-password").body("{}").put("/v1/cluster/update_cert").then().statusCode(403);
    }
}
