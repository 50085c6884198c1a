package org.redissync.cert;

import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URL;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import org.junit.jupiter.api.Test;
import org.redissync.testing.FreePorts;
import org.redissync.testing.ManagementProbes;

/**
 * With no broker at the configured address, under a name that does not resolve (yet: Kubernetes starts every pod at
 * once, and a Service's name may come after), the service still starts, live but not ready. A Kafka client refuses to
 * be made with no resolvable bootstrap address, so every client is made when it is first needed, not at start.
 */
@QuarkusTest
@TestProfile(ReadinessWithoutKafkaIT.NoBroker.class)
class ReadinessWithoutKafkaIT {

    /** The management interface's root ({@code /q/}): health, metrics and OpenAPI, not on the service's own port. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // .invalid never resolves (RFC 2606)
            return Map.of("redissync.kafka.bootstrap-servers", "kafka.invalid:" + FreePorts.next());
        }
    }

    @Test
    void isLiveButNotReady() {
        ManagementProbes.assertLiveButNotReady(management);
    }
}
