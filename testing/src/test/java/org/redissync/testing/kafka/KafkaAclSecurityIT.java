package org.redissync.testing.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redissync.testing.KafkaBroker;
import org.redissync.testing.SecuredKafka;

/**
 * A real broker with authentication and ACLs on: each service writes only the topics it owns. A syncer-service's
 * principal is refused when it publishes a certificate event or a bdb config, or takes the coordinator's
 * transactional id; a client without credentials, or with wrong ones, gets nothing.
 */
class KafkaAclSecurityIT {

    static final String PREFIX = "";
    static SecuredKafka kafka;
    static KafkaBroker broker;
    static Path brokerDir;
    static KafkaPki pki;
    static String adminPassword;
    static Map<String, String> passwords;

    @BeforeAll
    static void securedBroker() throws Exception {
        // the broker makes the topics, users and ACLs itself, from its provisioning file, before it says it is ready
        kafka = SecuredKafka.start(PREFIX, List.of("cluster-a"));
        broker = kafka.broker();
        brokerDir = kafka.brokerDir();
        pki = kafka.pki();
        adminPassword = kafka.adminPassword();
        passwords = kafka.passwords();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static Properties props(String user, String password) {
        Properties p = new Properties();
        p.putAll(KafkaUsers.clientProperties(user, password, pki.caPem()));
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return p;
    }

    static void send(String user, String topic) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(props(user, passwords.get(user)))) {
            p.send(new ProducerRecord<>(PREFIX + topic, "cluster-a/proxy", "{}")).get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSyncerWritesItsStatusButNeitherCertificatesNorDesiredState() throws Exception {
        String syncer = KafkaUsers.syncer("cluster-a");
        send(syncer, "syncer.status");
        assertThatThrownBy(() -> send(syncer, "cluster.certificates")).hasRootCauseInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> send(syncer, "bdb.config")).hasRootCauseInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> send(syncer, "crdb.config")).hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void aSyncerCannotTakeTheCoordinatorsTransactionalIdToFenceIt() {
        Properties p = props(KafkaUsers.syncer("cluster-a"), passwords.get(KafkaUsers.syncer("cluster-a")));
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, PREFIX + "crdb-coordinator");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            assertThatThrownBy(producer::initTransactions).isInstanceOf(TransactionalIdAuthorizationException.class);
        }
    }

    /** Subscribes to syncer.status as {@code user} in {@code group}; the records polled, or the error. */
    static int readStatusInGroup(String user, String group) {
        Properties p = props(user, passwords.get(user));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(PREFIX + "syncer.status"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int n = 0;
            while (n == 0 && System.nanoTime() < deadline) {
                n += c.poll(Duration.ofMillis(500)).count();
            }
            return n;
        }
    }

    @Test
    void theCoordinatorReadsStatusInAGroupOfItsOwnAndNobodyElseMayUseOne() throws Exception {
        send(KafkaUsers.syncer("cluster-a"), "syncer.status");
        assertThat(readStatusInGroup(KafkaUsers.COORDINATOR, PREFIX + "crdb-coordinator.status-" + java.util.UUID.randomUUID())).isPositive();
        // a syncer may not join (or disturb) a coordinator's group, nor the coordinator another name's
        assertThatThrownBy(() -> readStatusInGroup(KafkaUsers.syncer("cluster-a"), PREFIX + "crdb-coordinator.status-x"))
                .isInstanceOf(org.apache.kafka.common.errors.GroupAuthorizationException.class);
        assertThatThrownBy(() -> readStatusInGroup(KafkaUsers.COORDINATOR, PREFIX + "some-other-group"))
                .isInstanceOf(org.apache.kafka.common.errors.GroupAuthorizationException.class);
    }

    @Test
    void eachOwnerWritesWhatItOwns() throws Exception {
        send(KafkaUsers.CERT_SERVICE, "cluster.certificates");
        assertThatThrownBy(() -> send(KafkaUsers.CERT_SERVICE, "bdb.config")).hasRootCauseInstanceOf(TopicAuthorizationException.class);
        send(KafkaUsers.COORDINATOR, "bdb.config");
        send(KafkaUsers.COORDINATOR, "crdb.tasks");
        assertThatThrownBy(() -> send(KafkaUsers.COORDINATOR, "cluster.certificates"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        Properties tx = props(KafkaUsers.COORDINATOR, passwords.get(KafkaUsers.COORDINATOR));
        tx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, PREFIX + "crdb-coordinator");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(tx)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(PREFIX + "crdb.config", "g", "{}"));
            producer.commitTransaction();
        }
    }

    @Test
    void theSecretsOnDiskAreTheOwnersOnlyAndNoPlaintextListenerIsConfigured() throws Exception {
        // the broker's settings hold the super user's password (its own SCRAM login)
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(brokerDir.resolve("server.properties"))))
                .isEqualTo("rw-------");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.keystorePem())))
                .isEqualTo("rw-------");
        assertThat(Files.readString(brokerDir.resolve("server.properties"))).doesNotContain("PLAINTEXT");
        assertThat(Files.readString(brokerDir.resolve("kafka.log"))).doesNotContain(adminPassword);
    }

    @Test
    void aProvisioningFileWithAKeyOrAUserTheBrokerDoesNotKnowIsRefusedByName() throws Exception {
        Path typo = Files.writeString(brokerDir.resolveSibling("typo.properties"), "clsuters=cluster-a\nuser.cert-service=x\n");
        assertThatThrownBy(() -> org.redissync.kafka.KafkaAccess.provision(null, typo)).hasMessageContaining("unknown key(s) [clsuters]");
        Path stranger = Files.writeString(brokerDir.resolveSibling("stranger.properties"), "clusters=cluster-a\nuser.mallory=x\n");
        assertThatThrownBy(() -> org.redissync.kafka.KafkaAccess.provision(null, stranger)).hasMessageContaining("unknown Kafka user(s) [mallory]");
    }

    @Test
    void aWrongPasswordOrNoCredentialsGetNothing() {
        Properties wrong = props(KafkaUsers.CERT_SERVICE, "not-the-password");
        try (KafkaProducer<String, String> p = new KafkaProducer<>(wrong)) {
            assertThatThrownBy(() -> p.send(new ProducerRecord<>("cluster.certificates", "k", "v")).get(20, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(SaslAuthenticationException.class);
        }
        Properties plaintext = new Properties();
        plaintext.put("bootstrap.servers", broker.bootstrapServers());
        plaintext.put("request.timeout.ms", "3000");
        plaintext.put("default.api.timeout.ms", "5000");
        try (Admin anonymous = Admin.create(plaintext)) {
            assertThatThrownBy(() -> anonymous.listTopics().names().get(10, TimeUnit.SECONDS)).isNotNull();
        }
    }
}
