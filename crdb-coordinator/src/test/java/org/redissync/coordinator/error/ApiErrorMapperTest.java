package org.redissync.coordinator.error;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;

/** The error body's {@code field}: the path every validation message starts with, or none. */
class ApiErrorMapperTest {

    @Test
    void theFieldIsThePathAValidationMessageStartsWith() {
        assertThat(ApiErrorMapper.field("tls_mode: one of disabled, enabled, replica_ssl")).isEqualTo("tls_mode");
        assertThat(ApiErrorMapper.field("authorized_subjects[1]: C must be a two-letter country code")).isEqualTo("authorized_subjects[1]");
        assertThat(ApiErrorMapper.field("replica_sources[0].uri: redis://[user:password@]host:port expected")).isEqualTo("replica_sources[0].uri");
        assertThat(ApiErrorMapper.field("the request body is not valid JSON: x")).isNull();
        assertThat(ApiErrorMapper.field("credentials are required (HTTP Basic)")).isNull();
        assertThat(ApiErrorMapper.field(null)).isNull();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theBodyCarriesItBesidesRedisEnterprisesFields() {
        Response r = ApiErrorMapper.body(ApiError.INVALID_SUBJECT, "authorized_subjects[0]: CN is required");
        assertThat(r.getStatus()).isEqualTo(406);
        assertThat((java.util.Map<String, Object>) r.getEntity()).containsEntry("error_code", "invalid_authorized_subjects")
                .containsEntry("description", "authorized_subjects[0]: CN is required").containsEntry("field", "authorized_subjects[0]");
        assertThat((java.util.Map<String, Object>) ApiErrorMapper.body(ApiError.BUSY, "try again").getEntity()).doesNotContainKey("field");
    }
}
