package org.redissync.suite;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code deploy/local/suite} as a user runs it: up, healthy, idempotent, clear failures. It checks what the shared
 * suite's {@code up} printed; that {@code down} leaves nothing running is checked by {@link WalkthroughIT}, whose last
 * block stops the shared suite.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SharedSuite.class)
@Order(6)
class LocalSuiteIT {

    static SuiteProcess suite;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static final int CLUSTERS = SharedSuite.CLUSTERS;

    @BeforeAll
    static void theSharedSuite() {
        suite = SharedSuite.suite();
    }


    @Test
    @Order(1)
    void upStartsTheBrokerAndEveryServiceAndEachIsReady() throws Exception {
        var up = SharedSuite.upOutput();
        assertThat(up.exitCode()).as(up.output()).isZero();
        assertThat(up.output()).contains("kafka-broker", "cert-service", "crdb-coordinator", "syncer-service cluster-a",
                "syncer-service cluster-b", "syncer-service cluster-c", "The suite is up");
        // the Cluster Manager UI's URL and login
        JsonNode described = new ObjectMapper().readTree(suite.home.resolve("suite.json").toFile());
        assertThat(up.output()).contains("Cluster Manager UI:     " + described.at("/api/ui_url").asText() + " (user admin, password in "
                + described.at("/api/password_file").asText());
        assertThat(described.at("/api/ui_url").asText()).isEqualTo(described.at("/api/url").asText() + "/ui/");

        JsonNode json = new ObjectMapper().readTree(suite.home.resolve("suite.json").toFile());
        List<String> urls = new ArrayList<>(List.of(json.at("/api/management_url").asText(), json.at("/cert_service/management_url").asText()));
        json.get("clusters").forEach(c -> urls.add(c.get("management_url").asText()));
        assertThat(urls).hasSize(2 + CLUSTERS);
        for (String url : urls) {
            HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(url).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\": \"UP\"");
        }
        assertThat(suite.run("status").exitCode()).isZero();
        // No pool of redis-servers: each cluster's syncer-service makes one per bdb, under its shards directory.
        json.get("clusters").forEach(c -> assertThat(Path.of(c.get("shards_dir").asText())).isDirectory());
        // The API answers over HTTPS with a certificate of the suite's CA.
        HttpClient https = HttpClient.newBuilder().sslContext(trusting(Path.of(json.get("ca_cert").asText()))).build();
        assertThat(https.send(HttpRequest.newBuilder(URI.create(json.at("/api/url").asText() + "/v1/bdbs")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        assertThat(json.at("/api/url").asText()).startsWith("https://");
        assertThat(Files.readString(Path.of(json.get("ca_cert").asText()))).startsWith("-----BEGIN CERTIFICATE-----");
        kafkaTakesOnlyAuthenticatedClientsAndEachWritesOnlyItsOwnTopics(json);
    }

    /** What users run first has Kafka authentication and ACLs on: a syncer's user cannot publish a certificate event. */
    static void kafkaTakesOnlyAuthenticatedClientsAndEachWritesOnlyItsOwnTopics(JsonNode json) throws Exception {
        JsonNode kafka = json.get("kafka");
        assertThat(kafka.get("security_protocol").asText()).isEqualTo("SASL_SSL");
        String password = Files.readString(suite.home.resolve("state/secrets/kafka-syncer-cluster-a")).trim();
        java.util.Properties p = new java.util.Properties();
        p.putAll(org.redissync.testing.kafka.KafkaUsers.clientProperties("syncer-cluster-a", password,
                Path.of(kafka.get("ca_cert").asText())));
        p.put("bootstrap.servers", kafka.get("bootstrap_servers").asText());
        p.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
        p.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class.getName());
        p.put("max.block.ms", "15000");
        p.put("delivery.timeout.ms", "15000");
        p.put("request.timeout.ms", "10000");
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(p)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                    "cluster.certificates", "cluster-b/syncer", "{}")).get(20, java.util.concurrent.TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class);
        }
        java.util.Properties anonymous = new java.util.Properties();
        anonymous.put("bootstrap.servers", kafka.get("bootstrap_servers").asText());
        anonymous.put("request.timeout.ms", "3000");
        anonymous.put("default.api.timeout.ms", "5000");
        try (var admin = org.apache.kafka.clients.admin.Admin.create(anonymous)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> admin.listTopics().names().get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .as("a client without credentials gets nothing").isNotNull();
        }
    }


    @Test
    @Order(2)
    void certServiceSignsAClustersRequestWithItsGeneratedToken() throws Exception {
        Path work = Files.createDirectories(suite.home.resolve("test-csr"));
        Process openssl = new ProcessBuilder("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "proxy.key", "-out", "proxy.csr", "-subj", "/CN=proxy").directory(work.toFile()).redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        assertThat(openssl.waitFor()).isZero();
        String token = Files.readString(suite.home.resolve("state/secrets/token-cluster-a")).trim();
        String csr = Files.readString(work.resolve("proxy.csr"));
        JsonNode json = new ObjectMapper().readTree(suite.home.resolve("suite.json").toFile());
        String certService = json.at("/cert_service/url").asText();
        HttpClient tls = HttpClient.newBuilder().sslContext(trusting(Path.of(json.get("ca_cert").asText()))).build();
        java.util.function.Function<String, HttpResponse<String>> request = role -> {
            try {
                return tls.send(HttpRequest.newBuilder(URI.create(json.at("/cert_service/tls_url").asText()
                                + "/v1/cluster/certificates/csr?cluster=cluster-a"))
                        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(new ObjectMapper().writeValueAsString(java.util.Map.of("name", role,
                                "csr", csr)))).build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        HttpResponse<String> signed = request.apply("proxy");
        assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
        // a data cluster's token never gets the API's role (the CLIs trust the control plane's api identity)
        HttpResponse<String> api = request.apply("api");
        assertThat(api.statusCode()).as(api.body()).isEqualTo(403);
        assertThat(api.body()).contains("role_not_allowed");
    }

    /** TLS trusting only the suite's CA certificate file. */
    static javax.net.ssl.SSLContext trusting(Path caPem) throws Exception {
        var cf = java.security.cert.CertificateFactory.getInstance("X.509");
        var ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (var in = Files.newInputStream(caPem)) {
            ks.setCertificateEntry("ca", cf.generateCertificate(in));
        }
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        var ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    /** The pids of the redis-servers of the bdbs {@code uids}. */
    static List<Long> shardPids(List<Long> uids) throws Exception {
        return shardPids(d -> uids.stream().anyMatch(uid -> d.getFileName().toString().equals("bdb-" + uid)));
    }

    private static List<Long> shardPids(java.util.function.Predicate<Path> dirs) throws Exception {
        JsonNode json = new ObjectMapper().readTree(suite.home.resolve("suite.json").toFile());
        List<Long> pids = new ArrayList<>();
        for (JsonNode c : json.get("clusters")) {
            try (var shards = Files.list(Path.of(c.get("shards_dir").asText()))) {
                for (Path d : shards.filter(Files::isDirectory).filter(dirs).toList()) {
                    Path pid = d.resolve("redis.pid");
                    if (Files.exists(pid)) {
                        pids.add(Long.parseLong(Files.readString(pid).trim()));
                    }
                }
            }
        }
        return pids;
    }

    @Test
    @Order(3)
    void fiftyBdbsPerClusterEachGetARedisOfTheirOwnWithoutAnySpecialStep() throws Exception {
        JsonNode json = new ObjectMapper().readTree(suite.home.resolve("suite.json").toFile());
        String api = json.at("/api/url").asText();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .sslContext(trusting(Path.of(json.get("ca_cert").asText()))).build();
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:"
                + Files.readString(Path.of(json.at("/api/password_file").asText())).trim()).getBytes());
        List<Long> uids = new ArrayList<>();
        long t0 = System.nanoTime();
        for (String cluster : List.of("cluster-a", "cluster-b")) {
            for (int i = 0; i < 50; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/v1/bdbs")).header("Authorization", auth)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                                "{\"name\": \"many-" + i + "\", \"cluster\": \"" + cluster + "\", \"memory_size\": 16777216}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                uids.add(new ObjectMapper().readTree(r.body()).get("uid").asLong());
            }
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode all = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(URI.create(api + "/v1/bdbs"))
                    .header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString()).body());
            long active = 0;
            for (JsonNode b : all) {
                active += uids.contains(b.get("uid").asLong()) && "active".equals(b.get("status").asText()) ? 1 : 0;
            }
            return active == uids.size();
        });
        System.out.printf("100 bdbs (50 per cluster) active, each with its own redis-server, %.1f s after the first POST%n",
                (System.nanoTime() - t0) / 1e9);
        List<Long> pids = shardPids(uids);
        assertThat(pids).hasSize(100).doesNotHaveDuplicates();
        assertThat(pids).allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    @Order(4)
    void aSecondUpFindsItRunningStartsNothingMoreAndSavesEachProxyCertificateAgain() throws Exception {
        List<Long> before = suite.recordedPids();
        // a proxy_cert.pem that no longer is the cluster's (as after a rotation or an operator's certificate)
        Path proxyCert = Path.of(suite.description().at("/clusters/0/proxy_cert").asText());
        Files.writeString(proxyCert, "not the current certificate\n");
        var again = suite.run("up", "--clusters", Integer.toString(CLUSTERS));
        assertThat(again.exitCode()).isZero();
        assertThat(again.output()).contains("already running");
        assertThat(suite.recordedPids()).isEqualTo(before);
        // ... is saved again as the cluster has it now
        assertThat(Files.readString(proxyCert)).isEqualTo(suite.api("GET", "/v1/cluster/certificates?cluster=cluster-a", null)
                .get("proxy_cert").asText());
    }

    @Test
    @Order(5)
    void aPortInUseIsOneReadableLineAndNothingIsLeftHalfStarted() throws Exception {
        // another suite, in a home of its own whose API port (kept from an earlier up, as `up` keeps them) is taken now
        SuiteProcess other = new SuiteProcess(Path.of("target", "port-in-use-home").toAbsolutePath());
        other.run("down", "--fresh");
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.setReuseAddress(true);
            squatter.bind(new InetSocketAddress("127.0.0.1", 0));
            int apiPort = squatter.getLocalPort();
            Files.createDirectories(other.home.resolve("run"));
            Files.writeString(other.home.resolve("run/ports.properties"), "api.tls=" + apiPort + "\n");
            var up = other.run("up", "--clusters", Integer.toString(CLUSTERS));
            assertThat(up.exitCode()).as(up.output()).isEqualTo(1);
            assertThat(up.output()).contains("port " + apiPort + " is already in use");
        }
        assertThat(other.recordedPids()).isEmpty();
        assertThat(other.run("status").output()).contains("not running");
    }
}
