package org.redissync.events.kafka;

import org.redissync.events.Topic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redissync.events.CrdbConfigEvent;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.testing.FreePorts;
import org.redissync.testing.KafkaBroker;

/**
 * The production overlay's Kafka client settings (deploy/k8s/overlays/production/kafka-client.properties),
 * for real: a broker with an SSL listener that requires client certificates; the services' settings come
 * from a {@code client-properties-file} whose keystore password Kafka's DirectoryConfigProvider reads from a
 * mounted-secret-like folder. PKI made at run time with openssl.
 */
class KafkaTlsIT {

    @TempDir
    static Path dir;
    static KafkaBroker broker;
    static String sslBootstrap;

    @BeforeAll
    static void brokerWithMutualTls() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        openssl(pki, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-days", "1", "-subj", "/CN=test kafka CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign");
        issue(pki, "broker", "/CN=localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost", "broker-password");
        // The KafkaUser secret as Strimzi mounts it: user.p12 and user.password (no newline) in one folder.
        Path user = Files.createDirectories(dir.resolve("kafka-user"));
        String password = UUID.randomUUID().toString().replace("-", "");
        issue(pki, "user", "/CN=redis-sync", "extendedKeyUsage=clientAuth", password);
        Files.move(pki.resolve("user.p12"), user.resolve("user.p12"));
        Files.writeString(user.resolve("user.password"), password);

        int ssl = FreePorts.next();
        broker = KafkaBroker.start(dir.resolve("broker"), 0, List.of("--ssl-port", Integer.toString(ssl),
                "--prop", "ssl.keystore.type=PKCS12",
                "--prop", "ssl.keystore.location=" + pki.resolve("broker.p12"),
                "--prop", "ssl.keystore.password=broker-password",
                "--prop", "ssl.key.password=broker-password",
                "--prop", "ssl.truststore.type=PEM",
                "--prop", "ssl.truststore.location=" + pki.resolve("ca.pem"),
                "--prop", "ssl.client.auth=required"));
        sslBootstrap = "127.0.0.1:" + ssl;
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void servicesReachABrokerThatRequiresClientCertificatesWithTheClientPropertiesFile() throws Exception {
        Path file = clientProperties(true);
        assertThat(Files.readString(file)).doesNotContain(Files.readString(dir.resolve("kafka-user/user.password")));
        KafkaSettings settings = settings(file);

        TopicAdmin.ensureTopics(settings);
        Map<String, CrdbConfigEvent> state = new ConcurrentHashMap<>();
        try (EventPublisher publisher = new EventPublisher(settings);
                TopicLog<CrdbConfigEvent> log = new TopicLog<CrdbConfigEvent>(settings, Topic.CRDB_CONFIG,
                        (k, e, o) -> state.put(k, e)).start()) {
            publisher.publish(new CrdbConfigured(CrdbConfigured.VERSION, "g-tls", 1, "db-tls", true, false, Map.of(), List.of(), 0,
                    Instant.now())).get(20, TimeUnit.SECONDS);
            log.readToEnd().get(30, TimeUnit.SECONDS);
        }
        assertThat(state).containsOnlyKeys("g-tls");
    }

    @Test
    void withoutAClientCertificateTheBrokerRefusesTheService() throws Exception {
        KafkaSettings settings = settings(clientProperties(false));
        assertThatThrownBy(() -> TopicAdmin.ensureTopics(settings)).isInstanceOf(IllegalStateException.class)
                .hasCauseInstanceOf(SslAuthenticationException.class);
    }

    private static KafkaSettings settings(Path clientProperties) {
        String prefix = "tls" + UUID.randomUUID().toString().substring(0, 8) + ".";
        return new TestKafkaConfig(sslBootstrap, Optional.of(prefix), (short) 1, Map.of(), Optional.of(clientProperties.toString()))
                .settings("tls-test");
    }

    /** The production overlay's file, with this test's paths. */
    private static Path clientProperties(boolean withClientCertificate) throws IOException {
        Path user = dir.resolve("kafka-user");
        StringBuilder p = new StringBuilder()
                .append("security.protocol=SSL\n")
                .append("ssl.truststore.type=PEM\n")
                .append("ssl.truststore.location=").append(dir.resolve("pki/ca.pem")).append('\n');
        if (withClientCertificate) {
            p.append("ssl.keystore.type=PKCS12\n")
                    .append("ssl.keystore.location=").append(user.resolve("user.p12")).append('\n')
                    .append("config.providers=dir\n")
                    .append("config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider\n")
                    .append("ssl.keystore.password=${dir:").append(user).append(":user.password}\n");
        }
        return Files.writeString(dir.resolve("client-" + withClientCertificate + ".properties"), p);
    }

    private static void issue(Path pki, String name, String subject, String extension, String p12Password) throws Exception {
        openssl(pki, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", subject);
        Files.writeString(pki.resolve(name + ".ext"), extension + "\n");
        openssl(pki, "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
                "-extfile", name + ".ext", "-out", name + ".pem");
        openssl(pki, "pkcs12", "-export", "-in", name + ".pem", "-inkey", name + ".key", "-certfile", "ca.pem", "-out", name + ".p12",
                "-passout", "pass:" + p12Password);
    }

    private static void openssl(Path cwd, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + "\n" + out).isZero();
    }
}
