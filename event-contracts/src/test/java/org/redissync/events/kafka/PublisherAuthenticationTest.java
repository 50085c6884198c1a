package org.redissync.events.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redissync.kafka.KafkaAccess;
import org.redissync.runtime.KafkaBroker;
import org.redissync.runtime.kafka.KafkaPki;
import org.redissync.runtime.kafka.KafkaUsers;
import org.redissync.runtime.testing.SharedKafka;

/**
 * A service that meets the broker before the broker has made its user (Kubernetes orders no pods; a password being
 * rotated looks the same): its first publish fails with an authentication error, which leaves a Kafka idempotent
 * producer unusable for good. {@link EventPublisher} replaces that producer, so a later publish goes through, with no
 * restart. Real secured broker (SCRAM over TLS, ACLs).
 */
class PublisherAuthenticationTest {

    static KafkaBroker broker;
    static KafkaPki pki;
    static String adminPassword;
    static final Map<String, String> passwords = new HashMap<>();

    static String secret() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @BeforeAll
    static void securedBroker() throws Exception {
        Path dir = Files.createTempDirectory(SharedKafka.workDir(), "kafka-late-user-");
        pki = KafkaPki.in(dir.resolve("pki"), List.of("127.0.0.1", "localhost"));
        adminPassword = secret();
        Path adminFile = Files.writeString(dir.resolve("admin-password"), adminPassword);
        for (String user : KafkaUsers.of(List.of("cluster-a"))) {
            passwords.put(user, secret());
        }
        Properties provisioning = new Properties();
        provisioning.putAll(KafkaUsers.provisioning("", List.of("cluster-a"), passwords));
        Path file = dir.resolve("provisioning.properties");
        try (var out = Files.newOutputStream(file)) {
            provisioning.store(out, null);
        }
        broker = KafkaBroker.startSecured(dir.resolve("broker"), 0, pki, adminFile, file);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aPublisherThatMetTheBrokerBeforeItsUserWasMadePublishesOnceTheUserIsThere() throws Exception {
        String user = KafkaUsers.syncer("cluster-b");
        String password = secret();
        Map<String, String> client = new HashMap<>(KafkaUsers.clientProperties(user, password, pki.caPem()));
        client.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        client.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        client.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        var settings = new KafkaSettings(broker.bootstrapServers(), "", (short) 1, "late-syncer", client);
        try (EventPublisher publisher = new EventPublisher(settings)) {
            assertThatThrownBy(() -> publisher.tombstone(Topic.SYNCER_STATUS, "cluster-b/channel/x").get(30, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(SaslAuthenticationException.class);
            // the broker now makes the user (its provisioning, or an operator)
            Map<String, String> all = new HashMap<>(passwords);
            all.put(user, password);
            Map<String, Object> admin = new HashMap<>(KafkaUsers.clientProperties("admin", adminPassword, pki.caPem()));
            admin.put("bootstrap.servers", broker.bootstrapServers());
            try (Admin a = Admin.create(admin)) {
                KafkaAccess.provision(a, "", List.of("cluster-a", "cluster-b"), all);
            }
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                    assertThat(publisher.tombstone(Topic.SYNCER_STATUS, "cluster-b/channel/x").get(15, TimeUnit.SECONDS).topic())
                            .isEqualTo("syncer.status"));
        }
    }
}
