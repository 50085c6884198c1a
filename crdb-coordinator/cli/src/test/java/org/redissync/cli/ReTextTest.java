package org.redissync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** crdb-cli's text, as RE's reference pages show it (crdb get, task status, task list). */
class ReTextTest {

    static JsonNode json(String s) throws Exception {
        return ApiClient.JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void crdbGetPrintsResLinesThenEachChannel() throws Exception {
        String text = ReText.crdbGet(json("{'guid': 'd84f6fe4', 'name': 'database1', 'encryption': false, 'causal_consistency': false,"
                + "'default_db_config': {'memory_size': 1073741824, 'tls_mode': 'disabled'},"
                + "'instances': [{'id': 1, 'cluster': {'name': 'cluster-a', 'url': 'https://cluster-a:9443', 'replication_endpoint': '127.0.0.1:12000'},"
                + "'db_uid': 3, 'compression': 3}],"
                + "'channels': [{'from': 'cluster-b', 'to': 'cluster-a', 'status': 'in-sync', 'lag': 0, 'tls': {'enabled': true,"
                + "'protocol': 'TLSv1.3', 'cipher': 'TLS_AES_128_GCM_SHA256', 'peer_subject': 'CN=proxy.cluster-b', 'peer_not_after': '2027-01-01T00:00:00Z'},"
                + "'full_resyncs': 1, 'partial_resyncs': 4, 'last_update': '2026-12-05T22:00:00Z'}]}"));
        assertThat(text).startsWith("""
                CRDB-GUID: d84f6fe4
                Name: database1
                Encryption: False
                Causal consistency: False
                Protocol version: 1
                Modules: []
                Default-DB-Config:
                  memory_size: 1073741824
                  tls_mode: disabled
                Instance:
                  Id: 1
                  Cluster:
                    FQDN: cluster-a
                    URL: https://cluster-a:9443
                    Replication-Endpoint: 127.0.0.1:12000
                    Replication TLS SNI: <Default>
                  Compression: 3
                """);
        assertThat(text).contains("Channel:\n  From: cluster-b\n  To: cluster-a\n  Status: in-sync\n  Lag: 0 ms\n"
                + "  TLS: TLSv1.3 TLS_AES_128_GCM_SHA256, peer CN=proxy.cluster-b, valid until 2027-01-01T00:00:00Z\n"
                + "  Resyncs: full 1, partial 4\n  Last update: 2026-12-05T22:00:00Z\n");
    }

    @Test
    void taskStatusAndListAsRePrintsThem() throws Exception {
        JsonNode t = json("{'id': 'e1c49470', 'crdb_guid': '1d7741cc', 'operation': 'create_crdb', 'status': 'failed',"
                + "'worker_name': 'crdb-coordinator', 'started': '2022-10-12T09:33:41Z', 'ended': '2022-10-12T09:33:55Z',"
                + "'errors': [{'cluster_name': 'cluster-b', 'description': 'channel from cluster-a not reported yet', 'error_code': 'timeout'}],"
                + "'progress': {'clusters': [{'name': 'cluster-a', 'progress': 'done'}]}}");
        assertThat(ReText.taskStatus(t, false)).isEqualTo("""
                Task-ID: e1c49470
                CRDB-GUID: 1d7741cc
                Operation: create_crdb
                Status: failed
                Worker-Name: crdb-coordinator
                Started: 2022-10-12T09:33:41Z
                Ended: 2022-10-12T09:33:55Z
                Error: cluster-b: channel from cluster-a not reported yet (timeout)
                """);
        assertThat(ReText.taskStatus(t, true)).endsWith("Progress: cluster-a: done\n");
        assertThat(ReText.taskList(ApiClient.JSON.createArrayNode().add(t))).isEqualTo("""
                TASK-ID   CRDB-GUID  OPERATION    STATUS  WORKER-NAME       STARTED               ENDED
                e1c49470  1d7741cc   create_crdb  failed  crdb-coordinator  2022-10-12T09:33:41Z  2022-10-12T09:33:55Z
                """);
    }
}
