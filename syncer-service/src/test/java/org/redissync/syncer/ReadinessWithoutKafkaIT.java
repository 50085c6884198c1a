package org.redissync.syncer;

import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import org.junit.jupiter.api.Test;
import org.redissync.testing.FreePorts;

/** With no broker at the configured address the service still starts, live but not ready. */
@QuarkusTest
@TestProfile(ReadinessWithoutKafkaIT.NoBroker.class)
class ReadinessWithoutKafkaIT {

    /** The management interface's root ({@code /q/}): health, metrics and OpenAPI, not on the service's own port. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("redissync.kafka.bootstrap-servers", "127.0.0.1:" + FreePorts.next());
        }
    }

    @Test
    void isLiveButNotReady() {
        given().when().get(management + "health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get(management + "health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
    }
}
