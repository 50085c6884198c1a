package org.redissync.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rladmin} (the subset the seed uses), on picocli: {@code tune db}, {@code cluster certificate set} and
 * {@code cluster config}, in RE's word-by-word syntax.
 */
@Command(name = "rladmin", mixinStandardHelpOptions = true, version = "redis-sync rladmin",
        description = "Redis Enterprise's rladmin, the commands the seed's TLS pages use.",
        subcommands = {Rladmin.Tune.class, Rladmin.Cluster.class})
final class Rladmin {

    static final Set<String> TUNABLES = Set.of("mtls_allow_outdated_certs", "mtls_allow_weak_hashing");
    /** RE's {@code rladmin cluster config} settings the suite has (the cluster object's data TLS fields). */
    static final Set<String> CLUSTER_CONFIG = Set.of("min_data_TLS_version", "data_cipher_list", "data_cipher_suites_tls_1_3");

    abstract static class Base implements Callable<Integer> {
        @Mixin
        ApiOptions apiOptions;
        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        CliException usage(String why) {
            return new CliException(spec.qualifiedName() + ": " + why + "\n" + spec.commandLine().getUsageMessage(), 2);
        }
    }

    @Command(name = "tune", mixinStandardHelpOptions = true, description = "Configures a database.", subcommands = TuneDb.class)
    static final class Tune {
    }

    @Command(name = "db", mixinStandardHelpOptions = true, description = "rladmin tune db { db:<id> | <name> } <setting> { enabled | disabled }")
    static final class TuneDb extends Base {
        @Parameters(index = "0", paramLabel = "db:<id>|<name>")
        String db;
        @Parameters(index = "1", paramLabel = "mtls_allow_outdated_certs|mtls_allow_weak_hashing")
        String key;
        @Parameters(index = "2", paramLabel = "enabled|disabled")
        String value;

        @Override
        public Integer call() {
            if (!TUNABLES.contains(key)) {
                throw usage(key + " is not tunable here; one of " + TUNABLES.stream().sorted().toList());
            }
            boolean on = switch (value) {
                case "enabled" -> true;
                case "disabled" -> false;
                default -> throw usage("enabled or disabled expected, got '" + value + "'");
            };
            ApiClient api = apiOptions.client();
            long uid = resolve(api, db);
            api.send("PUT", "/v1/bdbs/" + uid, Map.of(key, on), null);
            out().println("Finished successfully");
            return 0;
        }
    }

    @Command(name = "cluster", mixinStandardHelpOptions = true, description = "Cluster settings and certificates.",
            subcommands = {Certificate.class, Config.class})
    static final class Cluster {
    }

    @Command(name = "certificate", mixinStandardHelpOptions = true, description = "The cluster's certificates.", subcommands = CertificateSet.class)
    static final class Certificate {
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "rladmin cluster certificate set { proxy | syncer | api } certificate_file <path> [ key_file <path> ]")
    static final class CertificateSet extends Base {
        @Parameters(index = "0", paramLabel = "proxy|syncer|api")
        String name;
        @Parameters(index = "1..*", paramLabel = "certificate_file <path> [key_file <path>]")
        List<String> rest = new ArrayList<>();
        @Option(names = "--cluster", paramLabel = "<name>", description = "The cluster (RE's rladmin runs on one; else REDISSYNC_CLUSTER, "
                + "else the API's default cluster)")
        String cluster;

        @Override
        public Integer call() {
            if (!Set.of("proxy", "syncer", "api").contains(name)) {
                throw usage("proxy, syncer or api expected, got '" + name + "'");
            }
            String certFile = null;
            String keyFile = null;
            if (rest.size() % 2 != 0) {
                throw usage("each of certificate_file and key_file needs a path");
            }
            for (int i = 0; i < rest.size(); i += 2) {
                switch (rest.get(i)) {
                    case "certificate_file" -> certFile = rest.get(i + 1);
                    case "key_file" -> keyFile = rest.get(i + 1);
                    default -> throw usage("'" + rest.get(i) + "': certificate_file or key_file expected");
                }
            }
            if (certFile == null) {
                throw usage("certificate_file <path> is required");
            }
            String target = cluster != null ? cluster : System.getenv("REDISSYNC_CLUSTER");
            Map<String, String> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("certificate", read(certFile));
            if (keyFile != null) {
                body.put("key", read(keyFile));
            }
            apiOptions.client().send("PUT", "/v1/cluster/update_cert" + (target == null ? "" : "?cluster="
                    + java.net.URLEncoder.encode(target, java.nio.charset.StandardCharsets.UTF_8)), body, null);
            out().println("Set " + name + " certificate to contents of file " + certFile); // RE's words
            return 0;
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true,
            description = "rladmin cluster config { min_data_TLS_version { 1.2 | 1.3 } | data_cipher_list <ciphers> "
                    + "| data_cipher_suites_tls_1_3 <suites> } ...")
    static final class Config extends Base {
        @Parameters(paramLabel = "<setting> <value>", arity = "2..*")
        List<String> pairs = new ArrayList<>();

        /** {@code rladmin cluster config <setting> <value> [<setting> <value> ...]}: one PUT /v1/cluster with all of them. */
        @Override
        public Integer call() {
            if (pairs.size() % 2 != 0) {
                throw usage("each setting needs a value");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            for (int i = 0; i < pairs.size(); i += 2) {
                if (!CLUSTER_CONFIG.contains(pairs.get(i))) {
                    throw usage(pairs.get(i) + " is not a setting this suite has; one of " + CLUSTER_CONFIG.stream().sorted().toList());
                }
                body.put(pairs.get(i), pairs.get(i + 1));
            }
            apiOptions.client().send("PUT", "/v1/cluster", body, null);
            out().println("Cluster configured successfully");
            return 0;
        }
    }

    static long resolve(ApiClient api, String db) {
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

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
