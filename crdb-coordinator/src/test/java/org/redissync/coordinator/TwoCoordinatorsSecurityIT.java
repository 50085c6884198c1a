package org.redissync.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redissync.testing.FreePorts;
import org.redissync.testing.ManagedProcess;
import org.redissync.testing.SharedKafka;

/**
 * Two packaged coordinators against one real broker, as during a rolling update or a second replica
 * started by mistake: only the holder of the single-writer lease writes desired state; the other
 * answers writes with 503 (changing nothing) until the first is gone, then takes over with all the
 * first one wrote. Each serves its API over HTTPS only: the plain HTTP port it is given stays closed. Runs in
 * failsafe: it needs the packaged jar.
 */
class TwoCoordinatorsSecurityIT {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** The API's HTTPS, trusting the API certificate made for this test and checking its identity. */
    static HttpClient api;
    static Path apiCertificate;
    static Path apiKey;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PASSWORD = "pw-" + UUID.randomUUID();
    static final String PREFIX = "two" + UUID.randomUUID().toString().substring(0, 8) + ".";
    static final List<ManagedProcess> started = new ArrayList<>();
    static Path work;

    record Coordinator(ManagedProcess process, String url, String management) {
    }

    @BeforeAll
    static void broker() throws Exception {
        SharedKafka.bootstrapServers();
        work = Files.createTempDirectory(SharedKafka.workDir(), "two-coordinators-");
        TestCerts.WithKey cert = TestCerts.server("api.control-plane", ApiCertificateTestResource.IDENTITY);
        apiCertificate = Files.writeString(work.resolve("api.pem"), cert.certificatePem());
        apiKey = Files.createFile(work.resolve("api.key"), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(apiKey, cert.keyPem());
        api = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(org.redissync.identity.PeerIdentity.clientContext(
                apiCertificate, java.util.Optional.of(ApiCertificateTestResource.IDENTITY))).build();
    }

    @AfterAll
    static void stopAll() {
        started.forEach(p -> p.stop(Duration.ofSeconds(10)));
    }

    static Coordinator start(String name) throws Exception {
        Path jar = Path.of(System.getProperty("coordinator.jar", "target/quarkus-app/quarkus-run.jar")).toAbsolutePath();
        assertThat(jar).as("the packaged coordinator (failsafe runs after package)").exists();
        int port = FreePorts.next();
        int plainPort = FreePorts.next();
        int managementPort = FreePorts.next();
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.ssl-port=" + port, "-Dquarkus.http.port=" + plainPort, "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.management.port=" + managementPort, "-Dquarkus.management.host=127.0.0.1",
                "-Dkafka.bootstrap.servers=" + SharedKafka.bootstrapServers(),
                "-Dredissync.kafka.topic-prefix=" + PREFIX,
                "-Dredissync.worker-name=" + name,
                "-Dredissync.api.certificate-file=" + apiCertificate, "-Dredissync.api.key-file=" + apiKey,
                "-Dredissync.clusters.cluster-a.endpoint-host=127.0.0.1",
                "-Dquarkus.security.users.embedded.users.admin=" + PASSWORD,
                "-Dquarkus.security.users.embedded.roles.admin=admin",
                "-jar", jar.toString());
        Path dir = Files.createDirectories(work.resolve(name));
        ManagedProcess p = ManagedProcess.start(name, cmd, dir, dir.resolve(name + ".log"), java.util.Map.of());
        started.add(p);
        String url = "https://127.0.0.1:" + port;
        String management = "http://127.0.0.1:" + managementPort;
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            assertThat(p.isAlive()).as(p.logTail(30)).isTrue();
            // the management interface may open a moment before the API's HTTPS
            return status(management + "/q/health/live") == 200 && FreePorts.inUse(port);
        });
        // HTTPS only: the plain HTTP port it was given is not opened (credentials never cross in the clear)
        assertThat(FreePorts.inUse(plainPort)).as("a plaintext listener").isFalse();
        return new Coordinator(p, url, management);
    }

    static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static HttpResponse<String> call(String method, String url, String body) throws Exception {
        String auth = Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + auth).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return (url.startsWith("https:") ? api : HTTP).send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> createBdb(Coordinator c, String name) throws Exception {
        return call("POST", c.url() + "/v1/bdbs", "{\"name\": \"" + name + "\", \"cluster\": \"cluster-a\"}");
    }

    static List<String> bdbNames(Coordinator c) throws Exception {
        HttpResponse<String> r = call("GET", c.url() + "/v1/bdbs", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        JSON.readTree(r.body()).forEach(b -> names.add(b.get("name").asText() + "#" + b.get("uid").asLong()));
        return names;
    }

    static String writerRole(Coordinator c) throws Exception {
        HttpResponse<String> r = call("GET", c.management() + "/q/health/ready", null);
        for (JsonNode check : JSON.readTree(r.body()).path("checks")) {
            if (check.path("data").has("writer")) {
                return r.statusCode() + " " + check.path("data").path("writer").asText();
            }
        }
        return r.statusCode() + " ?";
    }

    @Test
    void theSecondCoordinatorChangesNothingUntilTheFirstIsGoneThenTakesOverWithAllItWrote() throws Exception {
        Coordinator first = start("coordinator-1");
        await().atMost(Duration.ofSeconds(60)).until(() -> writerRole(first).equals("200 writer"));
        Coordinator second = start("coordinator-2");

        // the second stays a standby: not ready (a Service sends it nothing), writes refused with RE's error body
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> writerRole(second).equals("503 standby")
                && writerRole(first).equals("200 writer"));
        HttpResponse<String> refused = createBdb(second, "from-the-standby");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        JsonNode error = JSON.readTree(refused.body());
        assertThat(error.get("error_code").asText()).isEqualTo("unavailable");
        assertThat(error.get("description").asText()).contains("standby");
        assertThat(call("PUT", second.url() + "/v1/cluster", "{\"min_data_TLS_version\": \"1.3\"}").statusCode()).isEqualTo(503);
        assertThat(call("PUT", second.url() + "/v1/cluster/update_cert", "{\"name\": \"proxy\"}").statusCode()).isEqualTo(503);

        HttpResponse<String> one = createBdb(first, "one");
        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        long firstUid = JSON.readTree(one.body()).get("uid").asLong();
        // reads are served by both, from the same topics; the standby's refusal left nothing behind
        await().atMost(Duration.ofSeconds(10)).until(() -> bdbNames(second).equals(List.of("one#" + firstUid)));
        assertThat(bdbNames(first)).containsExactly("one#" + firstUid);

        // the first stops (a rolling update's old pod): the second takes over within seconds, knowing all it wrote
        first.process().stop(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(30)).until(() -> writerRole(second).equals("200 writer"));
        HttpResponse<String> two = createBdb(second, "two");
        assertThat(two.statusCode()).as(two.body()).isEqualTo(200);
        assertThat(JSON.readTree(two.body()).get("uid").asLong()).as("no uid given twice").isGreaterThan(firstUid);

        // the second dies without a goodbye: a restarted first waits out its session, then takes over
        second.process().kill();
        Coordinator again = start("coordinator-1b");
        await().atMost(Duration.ofSeconds(60)).until(() -> writerRole(again).equals("200 writer"));
        assertThat(createBdb(again, "three").statusCode()).isEqualTo(200);
        assertThat(bdbNames(again)).hasSize(3).doesNotHaveDuplicates();
    }
}
