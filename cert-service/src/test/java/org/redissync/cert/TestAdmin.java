package org.redissync.cert;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;

/** Requests as the operator (the coordinator): with cert-service's admin token of the test profile. */
public final class TestAdmin {

    public static final String TOKEN = "test-admin-token-for-cert-service";

    private TestAdmin() {
    }

    public static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + TOKEN);
    }
}
