package org.redissync.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.redissync.coordinator.api.ApiSchemas;
import org.redissync.coordinator.bdb.BdbSchemaTest;
import org.redissync.events.SuiteSettingsEvent.DataTlsSettings;

/** The OpenAPI record of /v1/cluster has exactly the fields the resource takes and renders. */
class ClusterSettingsSchemaTest {

    @Test
    void theRecordHasTheResourcesFields() {
        Set<String> schema = BdbSchemaTest.properties(ApiSchemas.ClusterSettings.class);
        assertThat(schema).isEqualTo(ClusterSettingsResource.FIELDS);
        Set<String> rendered = new HashSet<>();
        ClusterSettingsResource.render(DataTlsSettings.defaults()).fieldNames().forEachRemaining(rendered::add);
        assertThat(schema).isEqualTo(rendered);
    }
}
