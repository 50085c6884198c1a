package org.redissync.cli;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What Redis Enterprise's crdb-cli prints for {@code crdb get}, {@code task status} and {@code task list}, from the
 * REST answers (the reference pages' examples, field for field). Where the suite knows more (each channel's state,
 * a task's errors and per-cluster progress) it follows RE's lines, in the same style.
 */
final class ReText {

    private ReText() {
    }

    /** Python's spelling, as RE's crdb-cli prints values. */
    private static String py(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "None";
        }
        if (v.isBoolean()) {
            return v.asBoolean() ? "True" : "False";
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }

    static String crdbGet(JsonNode c) {
        StringBuilder b = new StringBuilder();
        line(b, 0, "CRDB-GUID", c.path("guid").asText());
        line(b, 0, "Name", c.path("name").asText());
        line(b, 0, "Encryption", py(c.path("encryption")));
        line(b, 0, "Causal consistency", py(c.path("causal_consistency")));
        line(b, 0, "Protocol version", "1");
        line(b, 0, "Modules", "[]");
        b.append("Default-DB-Config:\n");
        for (Iterator<Map.Entry<String, JsonNode>> it = c.path("default_db_config").fields(); it.hasNext();) {
            var f = it.next();
            line(b, 1, f.getKey(), py(f.getValue()));
        }
        for (JsonNode i : c.path("instances")) {
            b.append("Instance:\n");
            line(b, 1, "Id", i.path("id").asText());
            b.append("  Cluster:\n");
            line(b, 2, "FQDN", i.path("cluster").path("name").asText());
            line(b, 2, "URL", i.path("cluster").path("url").asText("<Default>"));
            line(b, 2, "Replication-Endpoint", i.path("cluster").path("replication_endpoint").asText("<Default>"));
            line(b, 2, "Replication TLS SNI", i.path("cluster").path("replication_tls_sni").asText("<Default>"));
            line(b, 1, "Compression", i.path("compression").asText());
            line(b, 1, "DB-UID", i.path("db_uid").asText());
        }
        for (JsonNode ch : c.path("channels")) { // the suite's addition: each channel as its syncer-service reports it
            b.append("Channel:\n");
            line(b, 1, "From", ch.path("from").asText());
            line(b, 1, "To", ch.path("to").asText());
            line(b, 1, "Status", ch.path("status").asText());
            line(b, 1, "Lag", ch.path("lag").asText("0") + " ms");
            JsonNode tls = ch.path("tls");
            line(b, 1, "TLS", tls.path("enabled").asBoolean() ? tls.path("protocol").asText() + " " + tls.path("cipher").asText()
                    + ", peer " + tls.path("peer_subject").asText() + ", valid until " + tls.path("peer_not_after").asText() : "False");
            line(b, 1, "Resyncs", "full " + ch.path("full_resyncs").asText("0") + ", partial " + ch.path("partial_resyncs").asText("0"));
            if (ch.hasNonNull("last_update")) {
                line(b, 1, "Last update", ch.path("last_update").asText());
            }
            if (ch.hasNonNull("last_error")) {
                line(b, 1, "Last error", ch.path("last_error").asText());
            }
        }
        return b.toString();
    }

    static String taskStatus(JsonNode t, boolean verbose) {
        StringBuilder b = new StringBuilder();
        line(b, 0, "Task-ID", t.path("id").asText());
        line(b, 0, "CRDB-GUID", t.path("crdb_guid").asText(""));
        line(b, 0, "Operation", t.path("operation").asText());
        line(b, 0, "Status", t.path("status").asText());
        line(b, 0, "Worker-Name", t.path("worker_name").asText());
        line(b, 0, "Started", t.path("started").asText(""));
        line(b, 0, "Ended", t.path("ended").asText(""));
        for (JsonNode e : t.path("errors")) {
            line(b, 0, "Error", e.path("cluster_name").asText("") + ": " + e.path("description").asText() + " ("
                    + e.path("error_code").asText() + ")");
        }
        if (verbose) {
            for (JsonNode p : t.path("progress").path("clusters")) {
                line(b, 0, "Progress", p.path("name").asText() + ": " + p.path("progress").asText());
            }
        }
        return b.toString();
    }

    static String taskList(JsonNode tasks) {
        List<String> header = List.of("TASK-ID", "CRDB-GUID", "OPERATION", "STATUS", "WORKER-NAME", "STARTED", "ENDED");
        List<List<String>> rows = new java.util.ArrayList<>();
        rows.add(header);
        for (JsonNode t : tasks) {
            rows.add(List.of(t.path("id").asText(), t.path("crdb_guid").asText(""), t.path("operation").asText(), t.path("status").asText(),
                    t.path("worker_name").asText(), t.path("started").asText(""), t.path("ended").asText("")));
        }
        int[] width = new int[header.size()];
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (List<String> r : rows) {
            StringBuilder row = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                row.append(String.format("%-" + (width[i] + 2) + "s", r.get(i)));
            }
            b.append(row.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }

    private static void line(StringBuilder b, int depth, String key, String value) {
        b.append("  ".repeat(depth)).append(key).append(": ").append(value).append('\n');
    }
}
