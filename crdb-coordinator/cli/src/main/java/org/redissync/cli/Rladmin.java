package org.redissync.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code rladmin} (the subset the seed uses): {@code tune db}, {@code cluster certificate set} and {@code cluster config}. */
final class Rladmin {

    static final Set<String> SWITCHES = Set.of("help");
    static final Set<String> TUNABLES = Set.of("mtls_allow_outdated_certs", "mtls_allow_weak_hashing");
    /** RE's {@code rladmin cluster config} settings the suite has (the cluster object's data TLS fields). */
    static final Set<String> CLUSTER_CONFIG = Set.of("min_data_TLS_version", "data_cipher_list", "data_cipher_suites_tls_1_3");
    static final String USAGE = """
            usage: rladmin tune db { db:<id> | <name> } { mtls_allow_outdated_certs | mtls_allow_weak_hashing } { enabled | disabled }
                   rladmin cluster certificate set { proxy | syncer | api } certificate_file <path> [ key_file <path> ] [--cluster <name>]
                   rladmin cluster config { min_data_TLS_version { 1.2 | 1.3 } | data_cipher_list <ciphers> | data_cipher_suites_tls_1_3 <suites> } ...
            API: --api-url, --user, --password-file, --cacert, or REDISSYNC_API_*, or the local suite's suite.json""";

    private final Args args;
    private final ApiClient api;
    private final PrintStream out;
    private final Map<String, String> env;

    Rladmin(Args args, ApiClient api, PrintStream out, Map<String, String> env) {
        this.args = args;
        this.api = api;
        this.out = out;
        this.env = env;
    }

    int run() {
        for (String flag : args.options.keySet()) {
            if (!flag.equals("cluster") && !CrdbCli.API_FLAGS.contains(flag)) {
                throw new CliException("rladmin: --" + flag + " is not a flag of this suite's rladmin\n" + USAGE, 2);
            }
        }
        List<String> w = args.words;
        if (w.size() == 5 && w.get(0).equals("tune") && w.get(1).equals("db")) {
            return tune(w.get(2), w.get(3), w.get(4));
        }
        if (w.size() >= 6 && w.subList(0, 3).equals(List.of("cluster", "certificate", "set"))) {
            return certificateSet(w.subList(3, w.size()));
        }
        if (w.size() >= 4 && w.get(0).equals("cluster") && w.get(1).equals("config")) {
            return clusterConfig(w.subList(2, w.size()));
        }
        throw new CliException(USAGE, 2);
    }

    /** {@code rladmin cluster config <setting> <value> [<setting> <value> ...]}: one PUT /v1/cluster with all of them. */
    private int clusterConfig(List<String> pairs) {
        if (pairs.size() % 2 != 0) {
            throw new CliException("rladmin cluster config: each setting needs a value\n" + USAGE, 2);
        }
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.size(); i += 2) {
            if (!CLUSTER_CONFIG.contains(pairs.get(i))) {
                throw new CliException("rladmin cluster config: " + pairs.get(i) + " is not a setting this suite has; one of "
                        + CLUSTER_CONFIG.stream().sorted().toList(), 2);
            }
            body.put(pairs.get(i), pairs.get(i + 1));
        }
        api.send("PUT", "/v1/cluster", body, null);
        out.println("Cluster configured successfully");
        return 0;
    }

    private int tune(String db, String key, String value) {
        if (!TUNABLES.contains(key)) {
            throw new CliException("rladmin tune db: " + key + " is not tunable here; one of " + TUNABLES, 2);
        }
        boolean on = switch (value) {
            case "enabled" -> true;
            case "disabled" -> false;
            default -> throw new CliException("rladmin tune db: enabled or disabled expected, got '" + value + "'", 2);
        };
        long uid = resolve(db);
        api.send("PUT", "/v1/bdbs/" + uid, Map.of(key, on), null);
        out.println("Finished successfully");
        return 0;
    }

    private long resolve(String db) {
        if (db.startsWith("db:")) {
            try {
                return Long.parseLong(db.substring(3));
            } catch (NumberFormatException e) {
                throw new CliException("rladmin: db:<id> expected, got '" + db + "'", 2);
            }
        }
        List<JsonNode> matches = new ArrayList<>();
        for (JsonNode b : api.get("/v1/bdbs")) {
            if (db.equals(b.path("name").asText())) {
                matches.add(b);
            }
        }
        if (matches.isEmpty()) {
            throw new CliException("rladmin: no database named '" + db + "'");
        }
        if (matches.size() > 1) {
            throw new CliException("rladmin: '" + db + "' names " + matches.size() + " databases (one per cluster); use db:<id> ("
                    + matches.stream().map(b -> "db:" + b.path("uid").asText() + " on " + b.path("cluster").asText()).toList() + ")");
        }
        return matches.get(0).path("uid").asLong();
    }

    private int certificateSet(List<String> rest) {
        String name = rest.get(0);
        if (!Set.of("proxy", "syncer", "api").contains(name)) {
            throw new CliException("rladmin cluster certificate set: proxy, syncer or api expected, got '" + name + "'", 2);
        }
        String certFile = null;
        String keyFile = null;
        for (int i = 1; i + 1 < rest.size(); i += 2) {
            switch (rest.get(i)) {
                case "certificate_file" -> certFile = rest.get(i + 1);
                case "key_file" -> keyFile = rest.get(i + 1);
                default -> throw new CliException(USAGE, 2);
            }
        }
        if (certFile == null) {
            throw new CliException("rladmin cluster certificate set: certificate_file <path> is required", 2);
        }
        if (keyFile == null) {
            throw new CliException("rladmin cluster certificate set: key_file <path> is required (the suite never reuses keys "
                    + "it did not generate without being given them)", 2);
        }
        // RE's rladmin runs on one cluster's node: without --cluster (or REDISSYNC_CLUSTER) the API's default cluster
        String cluster = args.get("cluster") != null ? args.get("cluster") : env.get("REDISSYNC_CLUSTER");
        String cert = read(certFile);
        String key = read(keyFile);
        api.send("PUT", "/v1/cluster/update_cert" + (cluster == null ? "" : "?cluster=" + java.net.URLEncoder.encode(cluster,
                java.nio.charset.StandardCharsets.UTF_8)), Map.of("name", name, "certificate", cert, "key", key), null);
        out.println("Finished successfully");
        return 0;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
