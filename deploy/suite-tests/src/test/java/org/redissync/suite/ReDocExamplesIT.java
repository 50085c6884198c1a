package org.redissync.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Redis Enterprise's documentation examples, replayed as written against a two-cluster local suite: the seed page's
 * commands and bodies, and the examples of the crdb-cli, rladmin and REST reference pages for the commands and routes
 * the suite implements. Each is listed with its page in {@code docs/api.md} ("RE's examples, replayed").
 *
 * <p>Only what names the environment is replaced ({@link #env}): the clusters' FQDNs ({@code cluster1.redis.local}
 * and {@code cluster-1} are cluster-a here, {@code cluster2…} cluster-b), the example GUIDs, task and database ids by
 * the ones this run made, {@code <placeholders>} by values, port 12000 by a free port, {@code https://<host>:9443} by
 * the API's address. An example that uses a flag the suite does not have passes when that flag is refused by name,
 * with exit code 2, and nothing changes. RE's {@code --port} is the CRDB's port on every cluster; the local suite's
 * clusters are one host, where that is refused at once and says why: those examples run again without it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SharedSuite.class)
@Order(4)
class ReDocExamplesIT {

    static SuiteProcess suite;
    static final Map<String, String> env = new LinkedHashMap<>();
    static final Pattern TASK_CREATED = Pattern.compile("^Task ([0-9a-f-]{36}) created$", Pattern.MULTILINE);

    @BeforeAll
    static void up() {
        suite = SharedSuite.suite();
        env.put("cluster1.redis.local", "cluster-a");
        env.put("cluster2.redis.local", "cluster-b");
        env.put("12000", Integer.toString(org.redissync.testing.FreePorts.next()));
    }

    /** The operator's proxy certificate of the rladmin example (cluster-a) is rotated back to one of the suite's CA. */
    @AfterAll
    static void giveBackTheCertificates() throws Exception {
        SharedSuite.restoreCaCertificates(suite, "cluster-a");
    }

    // ------------------------------------------------------------------------------------------------ crdb-cli

    @Test
    @Order(1)
    void crdbCreate() {
        // crdb-cli/crdb/create.md, the first example. RE's --port is the CRDB's on every cluster, and the local suite's
        // clusters are one host: refused at once, saying so (nothing is created) ...
        String example = "crdb-cli crdb create --name database1 --memory-size 1GB --port 12000 \\\n"
                + "           --instance fqdn=cluster1.redis.local,username=admin@redis.local,password=admin \\\n"
                + "           --instance fqdn=cluster2.redis.local,username=admin@redis.local,password=admin";
        var onOneHost = cli(example);
        assertThat(onOneHost.exitCode()).as(onOneHost.output()).isEqualTo(1);
        assertThat(onOneHost.output()).contains("port_in_use", "have their endpoints on the same host");
        assertThat(suite.api("GET", "/v1/crdbs", null).findValuesAsText("name")).doesNotContain("database1");
        // ... and without --port, RE's output line for line
        var r = cli(example.replace(" --port 12000", ""));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).matches("Task [0-9a-f-]{36} created\n"
                + "  ---> Status changed: queued -> started\n"
                + "  ---> CRDB GUID Assigned: crdb:[0-9a-f-]{36}\n"
                + "  ---> Status changed: started -> finished\n");
        env.put("d84f6fe4-5bb7-49d2-a188-8900e09c6f66", r.output().replaceAll("(?s).*crdb:([0-9a-f-]{36}).*", "$1"));
        env.put("<crdb-guid>", env.get("d84f6fe4-5bb7-49d2-a188-8900e09c6f66"));
        env.put("e1c49470-ae0b-4df8-885b-9c755dd614d0", taskId(r.output()));
        // the examples with shards, modules: flags the suite does not have, refused by name; nothing is created
        for (String unsupported : List.of(
                "crdb-cli crdb create --name mycrdb --memory-size 100mb --port 12000 --instance fqdn=cluster1.redis.local,username=admin@redis.local,password=admin --instance fqdn=cluster2.redis.local,username=admin@redis.local,password=admin --shards-count 2 --encryption true",
                "crdb-cli crdb create --name mycrdb --memory-size 100mb --port 12000 --instance fqdn=cluster1.redis.local,username=admin@redis.local,password=admin --instance fqdn=cluster2.redis.local,username=admin@redis.local,password=admin --shards-count 2 --with-module name=search,version=\"2.0.6\",args=\"PARTITIONS AUTO\"",
                "crdb-cli crdb create --name mycrdb --memory-size 100mb --port 12000 --instance fqdn=cluster1.redis.local,username=admin@redis.local,password=admin --instance fqdn=cluster2.redis.local,username=admin@redis.local,password=admin --encryption true --shards-count 2")) {
            var refused = cli(unsupported);
            assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
            assertThat(refused.output()).contains("--shards-count is not supported by this suite");
        }
        assertThat(suite.api("GET", "/v1/crdbs", null).findValuesAsText("name")).doesNotContain("mycrdb");
        // the last example: --no-wait prints the task and returns (without --port, as above)
        var noWait = cli("crdb-cli crdb create --name mycrdb --memory-size 100mb --instance fqdn=cluster1.redis.local,username=admin@redis.local,password=admin --instance fqdn=cluster2.redis.local,username=admin@redis.local,password=admin --no-wait");
        assertThat(noWait.output()).as(noWait.output()).matches("Task [0-9a-f-]{36} created\n");
        awaitFinished(taskId(noWait.output()));
    }

    @Test
    @Order(2)
    void crdbListGetAndTaskStatus() {
        // crdb-cli/crdb/list.md
        var list = cli("crdb-cli crdb list");
        assertThat(list.exitCode()).isZero();
        assertThat(list.output()).startsWith("CRDB-GUID").contains("NAME", "REPL-ID", "CLUSTER-FQDN");
        String guid = env.get("<crdb-guid>");
        assertThat(list.output()).containsPattern(guid + "\\s+database1\\s+1\\s+cluster-a").containsPattern(guid + "\\s+database1\\s+2\\s+cluster-b");
        // crdb-cli/crdb/get.md: the example's lines, in its order
        var get = cli("crdb-cli crdb get --crdb-guid d84f6fe4-5bb7-49d2-a188-8900e09c6f66");
        assertThat(get.exitCode()).isZero();
        assertThat(get.output()).startsWith("CRDB-GUID: " + guid + "\nName: database1\nEncryption: False\nCausal consistency: False\n")
                .contains("\nDefault-DB-Config:\n", "\n  memory_size: 1073741824\n",
                        "\nInstance:\n  Id: 1\n  Cluster:\n    FQDN: cluster-a\n", "\nInstance:\n  Id: 2\n  Cluster:\n    FQDN: cluster-b\n",
                        "\n  Compression: 3\n");
        // crdb-cli/task/status.md
        var status = cli("crdb-cli task status --task-id e1c49470-ae0b-4df8-885b-9c755dd614d0");
        assertThat(status.output()).matches("Task-ID: " + env.get("e1c49470-ae0b-4df8-885b-9c755dd614d0") + "\nCRDB-GUID: " + guid
                + "\nOperation: create_crdb\nStatus: finished\nWorker-Name: \\S+\nStarted: \\S+Z\nEnded: \\S+Z\n(?s).*");
        // crdb-cli/task/list.md
        assertThat(cli("crdb-cli task list").output()).startsWith("TASK-ID").contains("CRDB-GUID", "OPERATION", "STATUS", "create_crdb");
    }

    @Test
    @Order(3)
    void crdbUpdate() {
        // crdb-cli/crdb/update.md, both examples
        var memory = cli("crdb-cli crdb update --crdb-guid <crdb-guid> --memory-size 2GB");
        assertThat(memory.output()).as(memory.output()).matches("Task [0-9a-f-]{36} created\n  ---> Status changed: queued -> started\n"
                + "  ---> Status changed: started -> finished\n");
        assertThat(suite.api("GET", "/v1/crdbs/" + env.get("<crdb-guid>"), null).at("/default_db_config/memory_size").asLong())
                .isEqualTo(2L << 30);
        var config = cli("crdb-cli crdb update --crdb-guid <crdb-guid> --default-db-config '{\"shards_count\": <primary_shards_count>}'"
                .replace("<primary_shards_count>", "1"));
        assertThat(config.output()).as(config.output()).endsWith("  ---> Status changed: started -> finished\n");
        // the seed page: TLS for Active-Active after creation
        var seed = cli("crdb-cli crdb update --crdb-guid <guid> --encryption true".replace("<guid>", env.get("<crdb-guid>")));
        assertThat(seed.output()).as(seed.output()).endsWith("  ---> Status changed: started -> finished\n");
        for (JsonNode ch : suite.api("GET", "/v1/crdbs/" + env.get("<crdb-guid>"), null).get("channels")) {
            assertThat(ch.at("/tls/enabled").asBoolean()).as(ch.toString()).isTrue();
        }
    }

    @Test
    @Order(4)
    void crdbAddAndRemoveInstance() {
        var solo = cli("crdb-cli crdb create --name solo --memory-size 100mb --instance fqdn=cluster-a,username=admin,password=x");
        assertThat(solo.exitCode()).as(solo.output()).isZero();
        env.put("db6365b5-8aca-4055-95d8-7eb0105c0b35", solo.output().replaceAll("(?s).*crdb:([0-9a-f-]{36}).*", "$1"));
        // crdb-cli/crdb/add-instance.md
        var added = cli("crdb-cli crdb add-instance --crdb-guid db6365b5-8aca-4055-95d8-7eb0105c0b35 \\\n"
                + "        --instance fqdn=cluster2.redis.local,username=admin@redis.local,password=admin-password");
        assertThat(added.output()).as(added.output()).matches("Task [0-9a-f-]{36} created\n  ---> Status changed: queued -> started\n"
                + "  ---> Status changed: started -> finished\n");
        assertThat(suite.api("GET", "/v1/crdbs/" + env.get("db6365b5-8aca-4055-95d8-7eb0105c0b35"), null).get("instances")).hasSize(2);
        // crdb-cli/crdb/remove-instance.md
        var removed = cli("crdb-cli crdb remove-instance --crdb-guid db6365b5-8aca-4055-95d8-7eb0105c0b35 --instance-id 2 --force");
        assertThat(removed.output()).as(removed.output()).matches("Task [0-9a-f-]{36} created\n  ---> Status changed: queued -> started\n"
                + "  ---> Status changed: started -> finished\n");
        assertThat(suite.api("GET", "/v1/crdbs/" + env.get("db6365b5-8aca-4055-95d8-7eb0105c0b35"), null).get("instances")).hasSize(1);
        // crdb-cli/crdb/delete.md
        var deleted = cli("crdb-cli crdb delete --crdb-guid db6365b5-8aca-4055-95d8-7eb0105c0b35");
        assertThat(deleted.output()).as(deleted.output()).matches("Task [0-9a-f-]{36} created\n  ---> Status changed: queued -> started\n"
                + "  ---> Status changed: started -> finished\n");
    }

    @Test
    @Order(5)
    void taskCancel() throws Exception {
        // crdb-cli/task/cancel.md: a task still running (cluster-b's syncer-service frozen, so it cannot finish)
        long pid = suite.pid("syncer-service-cluster-b");
        new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
        try {
            var update = cli("crdb-cli crdb update --crdb-guid <crdb-guid> --force --no-wait");
            env.put("2901c2a3-2828-4717-80c0-6f27f1dd2d7c", taskId(update.output()));
            var cancel = cli("crdb-cli task cancel --task-id 2901c2a3-2828-4717-80c0-6f27f1dd2d7c ");
            assertThat(cancel.exitCode()).as(cancel.output()).isZero();
            assertThat(cancel.output()).isEmpty();
            assertThat(suite.api("GET", "/v1/crdb_tasks/" + env.get("2901c2a3-2828-4717-80c0-6f27f1dd2d7c"), null).toString())
                    .contains("cancelled");
        } finally {
            new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
        }
    }

    // ------------------------------------------------------------------------------------------------ REST

    @Test
    @Order(6)
    void theSeedsRestPathAndTheCrdbsReferenceBodies() throws Exception {
        String guid = env.get("<crdb-guid>");
        // the seed page's REST tab: TLS for Active-Active only, then for all communications, on each instance
        for (JsonNode i : suite.api("GET", "/v1/crdbs/" + guid, null).get("instances")) {
            long uid = i.get("db_uid").asLong();
            rest("PUT https://<host>:9443/v1/bdbs/<database-id>\n{\n  \"enforce_client_authentication\": \"disabled\",\n  \"tls_mode\": \"replica_ssl\"\n}",
                    uid);
            rest("PUT https://<host>:9443/v1/bdbs/<database-id>\n{\n  \"enforce_client_authentication\": \"disabled\",\n  \"tls_mode\": \"enabled\"\n}",
                    uid);
            await().atMost(Duration.ofSeconds(60)).until(() -> "active".equals(suite.api("GET", "/v1/bdbs/" + uid, null).get("status").asText()));
            // the seed page's redis-cli over TLS, with the server certificate (the suite's CA here)
            int port = suite.api("GET", "/v1/bdbs/" + uid, null).at("/endpoints/0/port").asInt();
            assertThat(redisCli("-h", "127.0.0.1", "-p", Integer.toString(port), "--tls", "--cacert",
                    suite.description().get("ca_cert").asText(), "PING")).isEqualTo("PONG");
        }
        // rest-api/requests/crdbs: the POST example body as written (cluster-1/-2 are cluster-a/-b here)
        String body = """
                {
                    "default_db_config":
                    {
                        "name": "sample-crdb",
                        "memory_size": 214748365
                    },
                    "instances":
                    [
                        {
                            "cluster":
                            {
                                "url": "http://<cluster1_FQDN>:9443",
                                "credentials":
                                {
                                    "username": "<username>",
                                    "password": "<password>"
                                },
                                "name": "cluster-1"
                            },
                            "compression": 6
                        },
                        {
                            "cluster":
                            {
                                "url": "http://<cluster2_FQDN>:9443",
                                "credentials":
                                {
                                    "username": "<username>",
                                    "password": "<password>"
                                },
                                "name": "cluster-2"
                            },
                            "compression": 6
                        }
                    ],
                    "name": "sample-crdb"
                }""".replace("\"cluster-1\"", "\"cluster-a\"").replace("\"cluster-2\"", "\"cluster-b\"")
                .replace("<cluster1_FQDN>", "cluster-a").replace("<cluster2_FQDN>", "cluster-b");
        JsonNode task = suite.api("POST", "/v1/crdbs", body);
        assertThat(task.get("operation").asText()).isEqualTo("create_crdb");
        String sample = task.get("crdb_guid").asText();
        awaitFinished(task.get("id").asText());
        assertThat(suite.api("GET", "/v1/crdbs", null).findValuesAsText("guid")).contains(sample);
        assertThat(suite.api("GET", "/v1/crdbs/" + sample, null).at("/instances/0/compression").asInt()).isEqualTo(6);
        // PATCH with the CRDB object's changed fields, POST …/updates with a modify request (dry_run first), DELETE
        awaitFinished(suite.api("PATCH", "/v1/crdbs/" + sample, "{\"encryption\": true}").get("id").asText());
        suite.api("POST", "/v1/crdbs/" + sample + "/updates?dry_run=true", "{\"crdb\": {\"encryption\": false}}");
        assertThat(suite.api("GET", "/v1/crdbs/" + sample, null).get("encryption").asBoolean()).isTrue();
        awaitFinished(suite.api("POST", "/v1/crdbs/" + sample + "/updates", "{\"crdb\": {\"encryption\": false}}").get("id").asText());
        awaitFinished(suite.api("DELETE", "/v1/crdbs/" + sample, null).get("id").asText());
    }

    // ------------------------------------------------------------------------------------------------ rladmin

    @Test
    @Order(7)
    void rladmin() throws Exception {
        long uid = suite.api("GET", "/v1/crdbs/" + env.get("<crdb-guid>"), null).at("/instances/0/db_uid").asLong();
        // the seed page: rladmin tune db < db:id | name > mtls_allow_outdated_certs { enabled | disabled }
        var tuned = cli("rladmin tune db db:" + uid + " mtls_allow_outdated_certs enabled");
        assertThat(tuned.exitCode()).as(tuned.output()).isZero();
        assertThat(suite.api("GET", "/v1/bdbs/" + uid, null).get("mtls_allow_outdated_certs").asBoolean()).isTrue();
        // security/encryption/tls/tls-protocols.md: rladmin cluster config min_data_TLS_version 1.2
        var config = cli("rladmin cluster config min_data_TLS_version 1.2");
        assertThat(config.output()).as(config.output()).contains("Cluster configured successfully");
        assertThat(suite.api("GET", "/v1/cluster", null).get("min_data_TLS_version").asText()).isEqualTo("1.2");
        var control = cli("rladmin cluster config min_control_TLS_version 1.2");
        assertThat(control.exitCode()).isEqualTo(2);
        assertThat(control.output()).contains("min_control_TLS_version is not a setting this suite has");
        // rladmin/cluster/certificate.md: "Update the proxy certificate" without key_file: a certificate the operator's CA
        // issued for the key cluster-a's proxy has now (the syncer-service keeps its key)
        Path dir = Files.createDirectories(suite.home.resolve("re-proxy"));
        Files.writeString(dir.resolve("current.pem"), suite.api("GET", "/v1/cluster/certificates", null).get("proxy_cert").asText());
        openssl(dir, "x509", "-in", "current.pem", "-pubkey", "-noout", "-out", "pub.pem");
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-days", "3", "-subj", "/CN=operator CA");
        Files.writeString(dir.resolve("ext.cnf"), "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n"
                + "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        openssl(dir, "x509", "-new", "-force_pubkey", "pub.pem", "-subj", "/CN=proxy.cluster-a", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-days", "30", "-extfile", "ext.cnf", "-out", "proxy.pem");
        env.put("/tmp/proxy.pem", dir.resolve("proxy.pem").toString());
        var set = cli("rladmin cluster certificate set proxy \\\n       certificate_file /tmp/proxy.pem");
        assertThat(set.exitCode()).as(set.output()).isZero();
        assertThat(set.output()).isEqualTo("Set proxy certificate to contents of file " + env.get("/tmp/proxy.pem") + "\n");
        int port = suite.api("GET", "/v1/bdbs/" + uid, null).at("/endpoints/0/port").asInt();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(redisCli("-h", "127.0.0.1", "-p", Integer.toString(port), "--tls",
                "--cacert", dir.resolve("ca.pem").toString(), "PING")).isEqualTo("PONG"));
    }

    // ------------------------------------------------------------------------------------------------

    /** Runs a documented command line (a {@code $ } prompt, line continuations and quotes as a shell reads them). */
    static SuiteProcess.Result cli(String documented) {
        List<String> words = words(substitute(documented));
        String tool = words.remove(0);
        return "rladmin".equals(tool) ? suite.rladmin(words.toArray(String[]::new)) : suite.crdbCli(words.toArray(String[]::new));
    }

    /** A documented REST request: {@code METHOD https://<host>:9443/path} and its JSON body. */
    static JsonNode rest(String documented, long databaseId) {
        String text = substitute(documented).replace("<database-id>", Long.toString(databaseId));
        int nl = text.indexOf('\n');
        String[] line = text.substring(0, nl).trim().split(" ");
        String path = line[1].replaceFirst("^https://<host>:9443", "");
        return suite.api(line[0], path, text.substring(nl + 1));
    }

    static String substitute(String s) {
        String out = s.replaceFirst("^\\$ ", "");
        for (var e : env.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    /** Shell words: whitespace splits, backslash-newline continues, single and double quotes group (and go). */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean any = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                any = true;
            } else if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                i++;
            } else if (Character.isWhitespace(c)) {
                if (any || w.length() > 0) {
                    out.add(w.toString());
                    w.setLength(0);
                    any = false;
                }
            } else {
                w.append(c);
            }
        }
        if (any || w.length() > 0) {
            out.add(w.toString());
        }
        return out;
    }

    static String taskId(String output) {
        Matcher m = TASK_CREATED.matcher(output);
        assertThat(m.find()).as(output).isTrue();
        return m.group(1);
    }

    static void awaitFinished(String task) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(suite.api("GET", "/v1/crdb_tasks/" + task, null).get("status").asText()).isEqualTo("finished"));
    }

    static void openssl(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    static String redisCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out;
    }
}
