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
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** {@code deploy/local/suite} as a user runs it: up, healthy, idempotent, down with nothing left, clear failures. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalSuiteTest {

    static SuiteProcess suite;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void freshHome() throws Exception {
        Path home = Path.of("target", "suite-home").toAbsolutePath();
        suite = new SuiteProcess(home);
        suite.run("down", "--fresh");
    }

    @AfterAll
    static void stopEverything() {
        suite.run("down");
    }

    @Test
    @Order(1)
    void upStartsTheBrokerAndEveryServiceAndEachIsReady() throws Exception {
        var up = suite.run("up", "--clusters", "2");
        assertThat(up.exitCode()).as(up.output()).isZero();
        assertThat(up.output()).contains("kafka-broker", "cert-service", "crdb-coordinator", "syncer-service cluster-a",
                "syncer-service cluster-b", "The suite is up");

        JsonNode json = new ObjectMapper().readTree(suite.home.resolve("suite.json").toFile());
        List<String> urls = new ArrayList<>(List.of(json.at("/api/http_url").asText(), json.at("/cert_service/url").asText()));
        json.get("clusters").forEach(c -> urls.add(c.get("syncer_url").asText()));
        assertThat(urls).hasSize(4);
        for (String url : urls) {
            HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(url).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\": \"UP\"");
        }
        assertThat(suite.run("status").exitCode()).isZero();
        // Bdbs reach their backends over the redis-servers' Unix sockets (TCP only where the path is too long for one).
        List<String> backends = new ArrayList<>();
        json.get("clusters").forEach(c -> c.get("backends").forEach(b -> backends.add(b.asText())));
        assertThat(backends).hasSize(4);
        for (String b : backends) {
            if (suite.home.resolve("state/redis/cluster-a-0/redis.sock").toString().length() <= 107) {
                assertThat(b).startsWith("unix:/");
                assertThat(Path.of(b.substring("unix:".length()))).exists();
            } else {
                assertThat(b).startsWith("127.0.0.1:");
            }
        }
        // The API answers over HTTPS with a certificate of the suite's CA.
        HttpClient https = HttpClient.newBuilder().sslContext(trusting(Path.of(json.get("ca_cert").asText()))).build();
        assertThat(https.send(HttpRequest.newBuilder(URI.create(json.at("/api/url").asText() + "/v1/bdbs")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        assertThat(json.at("/api/url").asText()).startsWith("https://");
        assertThat(Files.readString(Path.of(json.get("ca_cert").asText()))).startsWith("-----BEGIN CERTIFICATE-----");
    }

    static String caBefore;
    static String proxyBefore;

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
        // The api role: the syncer-services re-key their proxy and syncer certificates at every start.
        String body = new ObjectMapper().writeValueAsString(java.util.Map.of("name", "api", "csr", csr));
        JsonNode json = new ObjectMapper().readTree(suite.home.resolve("suite.json").toFile());
        String certService = json.at("/cert_service/url").asText();
        HttpClient tls = HttpClient.newBuilder().sslContext(trusting(Path.of(json.get("ca_cert").asText()))).build();
        HttpResponse<String> signed = tls.send(HttpRequest.newBuilder(URI.create(json.at("/cert_service/tls_url").asText()
                        + "/v1/cluster/certificates/csr?cluster=cluster-a"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
        caBefore = get(certService + "/v1/cluster/certificates/ca");
        proxyBefore = new ObjectMapper().readTree(get(certService + "/v1/cluster/certificates?cluster=cluster-a")).get("api_cert").asText();
        assertThat(proxyBefore).startsWith("-----BEGIN CERTIFICATE-----");
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

    @Test
    @Order(3)
    void aSecondUpFindsItRunningAndStartsNothingMore() throws Exception {
        List<Long> before = suite.recordedPids();
        var again = suite.run("up", "--clusters", "2");
        assertThat(again.exitCode()).isZero();
        assertThat(again.output()).contains("already running");
        assertThat(suite.recordedPids()).isEqualTo(before);
    }

    @Test
    @Order(4)
    void downStopsEveryProcessItStarted() throws Exception {
        List<Long> pids = suite.recordedPids();
        assertThat(pids).as("broker, 2x2 redis, cert-service, coordinator, 2 syncers").hasSize(1 + 4 + 1 + 1 + 2);
        var down = suite.run("down");
        assertThat(down.exitCode()).isZero();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse();
        }
        assertThat(suite.run("status").exitCode()).isNotZero();
    }

    @Test
    @Order(5)
    void aPortInUseIsOneReadableLineAndNothingIsLeftHalfStarted() throws Exception {
        Properties ports = new Properties();
        try (var in = Files.newInputStream(suite.home.resolve("run/ports.properties"))) {
            ports.load(in);
        }
        int apiPort = Integer.parseInt(ports.getProperty("crdb-coordinator"));
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.setReuseAddress(true);
            squatter.bind(new InetSocketAddress("127.0.0.1", apiPort));
            var up = suite.run("up", "--clusters", "2");
            assertThat(up.exitCode()).isEqualTo(1);
            assertThat(up.output()).contains("port " + apiPort + " is already in use");
        }
        assertThat(suite.recordedPids()).isEmpty();
        assertThat(suite.run("status").output()).contains("not running");
    }

    @Test
    @Order(6)
    void aSecondUpKeepsTheSameCaAndTheCertificatesItIssued() throws Exception {
        var up = suite.run("up", "--clusters", "2");
        assertThat(up.exitCode()).as(up.output()).isZero();
        String certService = new ObjectMapper().readTree(suite.home.resolve("suite.json").toFile()).at("/cert_service/url").asText();
        assertThat(get(certService + "/v1/cluster/certificates/ca")).isEqualTo(caBefore);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(new ObjectMapper().readTree(get(certService + "/v1/cluster/certificates?cluster=cluster-a")).get("api_cert").asText())
                        .isEqualTo(proxyBefore));
        assertThat(suite.run("down").exitCode()).isZero();
    }
}
