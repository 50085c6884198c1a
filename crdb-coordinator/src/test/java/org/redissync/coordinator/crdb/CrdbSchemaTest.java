package org.redissync.coordinator.crdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.redissync.coordinator.api.ApiSchemas;

/** The OpenAPI records of CRDB requests have exactly the fields the parser takes (a field in one only fails this). */
class CrdbSchemaTest {

    static Set<String> properties(Class<? extends Record> type) {
        return org.redissync.coordinator.bdb.BdbSchemaTest.properties(type);
    }

    @Test
    void requestRecordsMatchTheParsersFields() {
        assertThat(properties(ApiSchemas.CrdbCreateRequest.class)).isEqualTo(CrdbService.CREATE_FIELDS);
        assertThat(properties(ApiSchemas.CrdbUpdateRequest.class)).isEqualTo(CrdbService.UPDATE_FIELDS);
        assertThat(properties(ApiSchemas.DbConfig.class)).isEqualTo(CrdbService.DB_CONFIG_FIELDS);
        assertThat(properties(ApiSchemas.InstanceCluster.class)).isEqualTo(CrdbService.INSTANCE_CLUSTER_FIELDS);
        // an instance: the fields a request gives, and the read-only ones the API adds
        assertThat(properties(ApiSchemas.CrdbInstance.class)).containsAll(CrdbService.INSTANCE_FIELDS)
                .containsOnlyOnceElementsOf(union(CrdbService.INSTANCE_FIELDS, Set.of("id", "db_uid", "membership")));
    }

    static Set<String> union(Set<String> a, Set<String> b) {
        var u = new java.util.HashSet<>(a);
        u.addAll(b);
        return u;
    }
}
