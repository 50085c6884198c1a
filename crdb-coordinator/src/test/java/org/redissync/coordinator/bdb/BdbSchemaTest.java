package org.redissync.coordinator.bdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.redissync.coordinator.api.ApiSchemas;
import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.BdbConfigEvent.Tls;
import org.redissync.events.SubjectValidation;
import org.redissync.events.TlsMode;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The OpenAPI records of a bdb are what the parser takes and what the API renders: no field in one and not the other. */
public class BdbSchemaTest {

    /** A record's JSON property names (its {@code @JsonProperty}, else the component's name). */
    public static Set<String> properties(Class<? extends Record> type) {
        return Arrays.stream(type.getRecordComponents()).map(BdbSchemaTest::name).collect(Collectors.toSet());
    }

    /** {@code @JsonProperty} does not target record components: Java puts it on the accessor (and field). */
    private static String name(RecordComponent c) {
        JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
        return p != null ? p.value() : c.getName();
    }

    @Test
    void theRequestSchemaHasExactlyTheWritableFields() {
        assertThat(properties(ApiSchemas.BdbRequest.class)).isEqualTo(BdbJson.WRITABLE);
        assertThat(properties(ApiSchemas.ReplicaSource.class)).isEqualTo(union(BdbJson.SOURCE_FIELDS, BdbJson.SOURCE_STATUS));
    }

    @Test
    void theResponseSchemaHasExactlyWhatTheApiRenders() {
        BdbConfigured b = new BdbConfigured(BdbConfigured.VERSION, 7, 3, "app", "cluster-a", 12000, "127.0.0.1:6379", 1 << 20, "guid",
                new Tls(TlsMode.ENABLED, true, List.of("pem"), List.of("crdt-pem"), SubjectValidation.FULL_SUBJECT,
                        List.of(new org.redissync.events.BdbConfigEvent.AuthorizedSubject("cn", "o", List.of("ou"), "l", "st", "US")), true, false),
                List.of(), "disabled", Instant.now(), 10, "noeviction", "aof");
        Set<String> rendered = new HashSet<>();
        BdbJson.render(b, "localhost", "active", Map.of()).fieldNames().forEachRemaining(rendered::add);
        Set<String> schema = properties(ApiSchemas.Bdb.class);
        assertThat(schema).as("every rendered field is described").containsAll(rendered);
        assertThat(schema).as("every described field is rendered, or read-only and rendered when set")
                .isSubsetOf(union(rendered, BdbJson.READ_ONLY));
        assertThat(properties(ApiSchemas.AuthorizedSubject.class)).containsExactlyInAnyOrder("CN", "O", "OU", "L", "ST", "C");
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }
}
