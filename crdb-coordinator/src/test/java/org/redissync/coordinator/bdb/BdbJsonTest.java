package org.redissync.coordinator.bdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.redissync.coordinator.TestCerts;
import org.redissync.coordinator.error.ApiError;
import org.redissync.coordinator.error.ApiException;
import org.redissync.events.SubjectValidation;
import org.redissync.events.TlsMode;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The bdb JSON validation on its own: no service, no broker; every refusal names its field and RE's error code. */
class BdbJsonTest {

    static ObjectNode json(String text) {
        return BdbJson.body(text);
    }

    static BdbSpec parse(String text) {
        return BdbJson.parse(BdbJson.overlay(json("{}"), json(text)), Instant.now(), Set.of());
    }

    static ApiError refused(Runnable r) {
        try {
            r.run();
        } catch (ApiException e) {
            return e.error();
        }
        throw new AssertionError("not refused");
    }

    @Test
    void aMinimalBodyGetsRedisEnterprisesDefaults() {
        BdbSpec s = parse("{\"name\": \"app\"}");
        assertThat(s.name()).isEqualTo("app");
        assertThat(s.memorySize()).isEqualTo(100L * 1024 * 1024);
        assertThat(s.tlsMode()).isEqualTo(TlsMode.DISABLED);
        assertThat(s.enforceClientAuthentication()).isTrue();
        assertThat(s.subjectValidation()).isEqualTo(SubjectValidation.DISABLED);
        assertThat(s.replicaSync()).isEqualTo("disabled");
        assertThat(s.maxConnections()).isZero();
        assertThat(s.port()).isNull();
    }

    @Test
    void theSeedsTlsSettingsAreRead() {
        String client = TestCerts.valid("app-client");
        BdbSpec s = BdbJson.parse(json("{\"name\": \"app\", \"tls_mode\": \"enabled\", \"enforce_client_authentication\": \"enabled\","
                + " \"authentication_ssl_client_certs\": [{\"client_cert\": " + BdbJson.MAPPER.valueToTree(client) + "}],"
                + " \"client_cert_subject_validation_type\": \"san_cn\", \"authorized_subjects\": [{\"CN\": \"app-client\"}]}"),
                Instant.now(), Set.of());
        assertThat(s.tlsMode()).isEqualTo(TlsMode.ENABLED);
        assertThat(s.clientCerts()).hasSize(1);
        assertThat(s.subjectValidation()).isEqualTo(SubjectValidation.SAN_CN);
        assertThat(s.authorizedSubjects()).hasSize(1);
    }

    @Test
    void everyBadValueIsRefusedWithItsCode() {
        assertThat(refused(() -> BdbJson.body("not json"))).isEqualTo(ApiError.MALFORMED_JSON);
        assertThat(refused(() -> BdbJson.body("[1]"))).isEqualTo(ApiError.MALFORMED_JSON);
        assertThat(refused(() -> parse("{\"name\": \"bad name!\"}"))).isEqualTo(ApiError.INVALID_VALUE);
        assertThat(refused(() -> parse("{\"name\": \"app\", \"port\": 80}"))).isEqualTo(ApiError.INVALID_VALUE);
        assertThat(refused(() -> parse("{\"name\": \"app\", \"tls_mode\": \"on\"}"))).isEqualTo(ApiError.INVALID_VALUE);
        assertThat(refused(() -> parse("{\"name\": \"app\", \"eviction_policy\": \"lru\"}"))).isEqualTo(ApiError.INVALID_VALUE);
        assertThat(refused(() -> parse("{\"name\": \"app\", \"client_cert_subject_validation_type\": \"full_subject\"}")))
                .isEqualTo(ApiError.INVALID_CONFIGURATION);
        assertThat(refused(() -> parse("{\"name\": \"app\", \"authentication_ssl_client_certs\": [{\"client_cert\": "
                + BdbJson.MAPPER.valueToTree(TestCerts.expired("old")) + "}]}"))).isEqualTo(ApiError.CERTIFICATE_EXPIRED);
    }

    @Test
    void nothingIsIgnoredAnUnknownOrReadOnlyFieldIsRefusedByName() {
        assertThatThrownBy(() -> BdbJson.overlay(json("{}"), json("{\"name\": \"app\", \"encrypton\": true}")))
                .isInstanceOf(ApiException.class).hasMessageContaining("encrypton: not a bdb field this suite supports");
        ObjectNode stored = json("{\"name\": \"app\", \"uid\": 7, \"status\": \"active\"}");
        assertThatThrownBy(() -> BdbJson.overlay(stored, json("{\"status\": \"pending\"}"))).isInstanceOf(ApiException.class)
                .hasMessageContaining("status: read-only");
        // the same read-only value sent back (a GET-modify-PUT) is fine
        assertThat(BdbJson.overlay(stored, json("{\"status\": \"active\", \"name\": \"app2\"}")).get("name").asText()).isEqualTo("app2");
    }
}
