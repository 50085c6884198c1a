package org.redissync.suite;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
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
import com.fasterxml.jackson.databind.ObjectMapper;

/** The real crdb-cli and rladmin executables against a running suite (found through its suite.json). */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SharedSuite.class)
@Order(5)
class CliIT {

    static SuiteProcess suite;
    static String guid;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void up() {
        suite = SharedSuite.suite();
    }

    /** cluster-a's operator-supplied syncer and proxy certificates (orders 4 and 9) are rotated back to the suite's CA's. */
    @AfterAll
    static void giveBackTheCertificates() throws Exception {
        SharedSuite.restoreCaCertificates(suite, "cluster-a");
    }

    static SuiteProcess.Result crdbCli(String... args) {
        return suite.crdbCli(args);
    }

    static SuiteProcess.Result rladmin(String... args) {
        return suite.rladmin(args);
    }

    @Test
    @Order(1)
    void createPrintsTheTaskAndListShowsOneRowPerInstance() {
        var created = crdbCli("crdb", "create", "--name", "shop", "--memory-size", "100mb", "--instance",
                "fqdn=cluster-a,username=admin,password=x", "--instance", "fqdn=cluster-b,username=admin,password=x", "--no-wait");
        assertThat(created.exitCode()).as(created.output()).isZero();
        assertThat(created.output()).matches("(?s)Task [0-9a-f-]{36} created\\s*");
        var list = crdbCli("crdb", "list");
        assertThat(list.exitCode()).isZero();
        assertThat(list.output()).contains("CRDB-GUID", "NAME", "REPL-ID", "CLUSTER-FQDN", "shop", "cluster-a", "cluster-b");
        Matcher m = Pattern.compile("([0-9a-f-]{36})\\s+shop").matcher(list.output());
        assertThat(m.find()).isTrue();
        guid = m.group(1);
        assertThat(crdbCli("crdb", "get", "--crdb-guid", guid).output()).startsWith("CRDB-GUID: " + guid + "\n").contains("\nInstance:\n  Id: 1\n");
    }

    @Test
    @Order(2)
    void anUpdateWaitsPrintingEachStatusChangeAndFailsNonZeroWithTheReasons() throws Exception {
        // A frozen syncer-service (SIGSTOP) cannot report its channels: the task times out (20 s here) and says why.
        long pid = suite.pid("syncer-service-cluster-b");
        new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor();
        try {
            var update = crdbCli("crdb", "update", "--crdb-guid", guid, "--encryption", "yes");
            assertThat(update.exitCode()).as(update.output()).isEqualTo(1);
            assertThat(update.output()).contains("Task ", " created", "  ---> Status changed: queued -> started",
                    "  ---> Status changed: started -> failed", "---> Error: ", "(timeout)");
            String task = update.output().replaceAll("(?s).*Task (\\S+) created.*", "$1");
            assertThat(crdbCli("task", "status", "--task-id", task).output()).startsWith("Task-ID: " + task + "\n").contains("\nStatus: failed\n");
            assertThat(crdbCli("task", "list").output()).contains(task, "update_crdb");
            assertThat(api("GET", "/v1/crdbs/" + guid, null).get("encryption").asBoolean()).isTrue();
        } finally {
            new ProcessBuilder("kill", "-CONT", Long.toString(pid)).start().waitFor();
        }
        // Thawed, the same update converges: every channel TLS and in sync.
        var again = crdbCli("crdb", "update", "--crdb-guid", guid, "--encryption", "yes", "--force");
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(again.output()).contains("  ---> Status changed: started -> finished");
    }

    @Test
    @Order(3)
    void rladminTunesADatabase() throws Exception {
        long uid = api("GET", "/v1/crdbs/" + guid, null).at("/instances/0/db_uid").asLong();
        var tuned = rladmin("tune", "db", "db:" + uid, "mtls_allow_outdated_certs", "enabled");
        assertThat(tuned.output()).contains("Finished successfully");
        assertThat(tuned.exitCode()).isZero();
        assertThat(api("GET", "/v1/bdbs/" + uid, null).get("mtls_allow_outdated_certs").asBoolean()).isTrue();
        var ambiguous = rladmin("tune", "db", "shop", "mtls_allow_weak_hashing", "enabled");
        assertThat(ambiguous.exitCode()).isNotZero();
        assertThat(ambiguous.output()).contains("use db:<id>");
        assertThat(rladmin("tune", "db", "db:" + uid, "mtls_allow_outdated_certs", "maybe").exitCode()).isEqualTo(2);
    }

    @Test
    @Order(4)
    void rladminSetsAClusterCertificateThroughTheApiUrlAndRefusesABadOne() throws Exception {
        Path dir = Files.createDirectories(suite.home.resolve("cli-certs"));
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "syncer.key", "-out",
                "syncer.pem", "-days", "30", "-subj", "/CN=syncer.cluster-a", "-addext", "basicConstraints=critical,CA:FALSE",
                "-addext", "extendedKeyUsage=clientAuth");
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "other.key", "-out",
                "other.pem", "-days", "30", "-subj", "/CN=other", "-addext", "basicConstraints=critical,CA:FALSE");
        var set = rladmin("cluster", "certificate", "set", "syncer", "certificate_file", dir.resolve("syncer.pem").toString(), "key_file",
                dir.resolve("syncer.key").toString(), "--cluster", "cluster-a");
        assertThat(set.output()).contains("Set syncer certificate to contents of file " + dir.resolve("syncer.pem"));
        JsonNode certs = api("GET", "/v1/cluster/certificates?cluster=cluster-a", null);
        assertThat(certs.get("syncer_cert").asText()).isEqualTo(Files.readString(dir.resolve("syncer.pem")));
        assertThat(certs.toString()).doesNotContain("PRIVATE KEY");
        // RE's form names no cluster (rladmin runs on one): it is the API's default cluster, cluster-a in the local suite
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "syncer2.key", "-out",
                "syncer2.pem", "-days", "30", "-subj", "/CN=syncer2.cluster-a", "-addext", "basicConstraints=critical,CA:FALSE",
                "-addext", "extendedKeyUsage=clientAuth");
        var reForm = rladmin("cluster", "certificate", "set", "syncer", "certificate_file", dir.resolve("syncer2.pem").toString(),
                "key_file", dir.resolve("syncer2.key").toString());
        assertThat(reForm.output()).contains("Set syncer certificate to contents of file");
        assertThat(api("GET", "/v1/cluster/certificates", null).get("syncer_cert").asText())
                .isEqualTo(Files.readString(dir.resolve("syncer2.pem")));
        var mismatch = rladmin("cluster", "certificate", "set", "syncer", "certificate_file", dir.resolve("syncer.pem").toString(),
                "key_file", dir.resolve("other.key").toString(), "--cluster", "cluster-a");
        assertThat(mismatch.exitCode()).isNotZero();
        assertThat(mismatch.output()).contains("key_mismatch");
    }

    @Test
    @Order(5)
    void wrongCredentialsAreRefused() throws Exception {
        Path wrong = Files.writeString(suite.home.resolve("wrong-password"), "not-the-password\n");
        var r = crdbCli("crdb", "list", "--password-file", wrong.toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("401");
        // And the CLI verifies the API's certificate: with a CA that did not sign it, it refuses to talk.
        var untrusted = crdbCli("crdb", "list", "--cacert", suite.home.resolve("clusters/cluster-a/proxy_cert.pem").toString().replace("proxy_cert", "none"));
        assertThat(untrusted.exitCode()).isNotZero();
    }

    /** After the operator's proxy certificate (order 9): a restart must not put the syncer-service's own one back. */
    @Test
    @Order(10)
    void theDesiredStateTheCaAndAnOperatorsCertificateSurviveARestartOfEverything() throws Exception {
        String certService = suite.description().at("/cert_service/url").asText();
        String caBefore = get(certService + "/v1/cluster/certificates/ca");
        assertThat(suite.run("down").exitCode()).isZero();
        var up = suite.run("up", "--clusters", Integer.toString(SharedSuite.CLUSTERS));
        assertThat(up.exitCode()).as(up.output()).isZero();
        assertThat(crdbCli("crdb", "list").output()).contains(guid, "shop", "cluster-a", "cluster-b");
        assertThat(api("GET", "/v1/crdbs/" + guid, null).get("encryption").asBoolean()).isTrue();
        // the same CA, and the clusters' certificates (each syncer re-keyed at its start) issued by it (cluster-b's: cluster-a's
        // proxy certificate is the operator's)
        assertThat(get(certService + "/v1/cluster/certificates/ca")).isEqualTo(caBefore);
        var cf = java.security.cert.CertificateFactory.getInstance("X.509");
        var ca = cf.generateCertificate(new java.io.ByteArrayInputStream(caBefore.getBytes(StandardCharsets.US_ASCII)));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            String proxy = JSON.readTree(get(certService + "/v1/cluster/certificates?cluster=cluster-b")).get("proxy_cert").asText();
            cf.generateCertificate(new java.io.ByteArrayInputStream(proxy.getBytes(StandardCharsets.US_ASCII))).verify(ca.getPublicKey());
        });
        // cluster-a's proxy certificate is the operator's (order 9): after the restart its endpoints serve that one, not the
        // CA's certificate the syncer-service kept from before the operator's (which it once went back to, silently)
        Path operatorProxy = suite.home.resolve("operator-proxy/proxy.pem");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(redisCli("-h", "127.0.0.1", "-p", "" + tlsPort, "--tls", "--cacert", operatorProxy.toString(), "PING"))
                        .isEqualTo("PONG"));
        assertThat(api("GET", "/v1/cluster/certificates?cluster=cluster-a", null).get("proxy_cert").asText())
                .isEqualTo(Files.readString(operatorProxy));
    }

    /** A plain GET of cert-service's public listener (its CA and the clusters' public chains). */
    static String get(String url) throws Exception {
        var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .timeout(java.time.Duration.ofSeconds(20)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    static JsonNode api(String method, String path, String body) {
        return suite.api(method, path, body);
    }

    static void openssl(Path dir, String... args) throws Exception {
        var cmd = new java.util.ArrayList<String>();
        cmd.add("openssl");
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    @Test
    @Order(7)
    void theSeedsTlsBodyThenRedisCliWithTheClustersProxyCertificate() throws Exception {
        JsonNode bdb = api("POST", "/v1/bdbs", "{\"name\": \"seed-tls\", \"cluster\": \"cluster-a\"}");
        long uid = bdb.get("uid").asLong();
        int port = bdb.get("port").asInt();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                "active".equals(api("GET", "/v1/bdbs/" + uid, null).get("status").asText()));
        assertThat(redisCli("-h", "127.0.0.1", "-p", "" + port, "SET", "seed", "plain")).isEqualTo("OK");
        api("PUT", "/v1/bdbs/" + uid, "{\"enforce_client_authentication\": \"disabled\", \"tls_mode\": \"enabled\"}");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                "active".equals(api("GET", "/v1/bdbs/" + uid, null).get("status").asText()));
        String proxyCert = JSON.readTree(suite.home.resolve("suite.json").toFile()).at("/clusters/0/proxy_cert").asText();
        assertThat(redisCli("-h", "127.0.0.1", "-p", "" + port, "--tls", "--cacert", proxyCert, "GET", "seed")).isEqualTo("plain");
        assertThat(redisCli("-h", "127.0.0.1", "-p", "" + port, "GET", "seed")).contains("TLS");
        tlsPort = port;
    }

    static int tlsPort;

    @Test
    @Order(8)
    void aRotatedProxyCertificateReachesNewConnectionsWhileAnOpenOneContinues() throws Exception {
        JsonNode s = JSON.readTree(suite.home.resolve("suite.json").toFile());
        javax.net.ssl.SSLContext ctx = LocalSuiteIT.trusting(Path.of(s.get("ca_cert").asText()));
        String before = api("GET", "/v1/cluster/certificates?cluster=cluster-a", null).get("proxy_cert").asText();
        try (var open = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
            open.startHandshake();
            var oldLeaf = (java.security.cert.X509Certificate) open.getSession().getPeerCertificates()[0];
            api("POST", "/v1/cluster/certificates/rotate?cluster=cluster-a", "{\"name\": \"proxy\"}");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                    !api("GET", "/v1/cluster/certificates?cluster=cluster-a", null).get("proxy_cert").asText().equals(before));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
                try (var fresh = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", tlsPort)) {
                    fresh.startHandshake();
                    assertThat(fresh.getSession().getPeerCertificates()[0]).isNotEqualTo(oldLeaf);
                }
            });
            open.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] pong = new byte[7];
            assertThat(open.getInputStream().readNBytes(pong, 0, 7)).isEqualTo(7);
            assertThat(new String(pong, StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n");
        }
    }

    static String redisCli(String... args) throws Exception {
        var cmd = new java.util.ArrayList<String>();
        cmd.add("redis-cli");
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out;
    }

    @Test
    @Order(9)
    void anOperatorSuppliedProxyCertificateIsTakenUpByTheEndpointsWithoutARestart() throws Exception {
        Path dir = Files.createDirectories(suite.home.resolve("operator-proxy"));
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "proxy.key", "-out",
                "proxy.pem", "-days", "30", "-subj", "/CN=operator proxy", "-addext", "basicConstraints=critical,CA:FALSE",
                "-addext", "extendedKeyUsage=serverAuth", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
        var set = rladmin("cluster", "certificate", "set", "proxy", "certificate_file", dir.resolve("proxy.pem").toString(), "key_file",
                dir.resolve("proxy.key").toString(), "--cluster", "cluster-a");
        assertThat(set.output()).contains("Set proxy certificate to contents of file");
        // Trusting only the operator's certificate: the handshake succeeds once the endpoint presents it.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(redisCli("-h", "127.0.0.1", "-p", "" + tlsPort, "--tls", "--cacert", dir.resolve("proxy.pem").toString(), "PING"))
                        .isEqualTo("PONG"));
    }

    @Test
    @Order(50)
    void theClisCheckWhoTheApiIsNotOnlyItsHostAndRefuseAnotherIdentityBeforeSendingThePassword() {
        assertThat(suite.description().at("/api/identity").asText()).isEqualTo("urn:redis-sync:cluster:control-plane:api");
        assertThat(crdbCli("crdb", "list").exitCode()).isZero(); // suite.json's identity: the API's certificate names it
        // a client told the API is someone else (as a cluster's certificate of the same CA, for the same host, would be)
        var wrong = new SuiteProcess(suite.home, Map.of("REDISSYNC_API_IDENTITY", "urn:redis-sync:cluster:cluster-a:api"));
        var refused = wrong.crdbCli("crdb", "list");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.output()).contains("is not urn:redis-sync:cluster:cluster-a:api")
                .contains("urn:redis-sync:cluster:control-plane:api");
        var rladmin = wrong.rladmin("cluster", "config", "min_data_TLS_version", "1.2");
        assertThat(rladmin.exitCode()).isNotZero();
        assertThat(rladmin.output()).contains("is not urn:redis-sync:cluster:cluster-a:api");
    }
}
