package org.redissync.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.redissync.testing.KafkaBroker;
import org.redissync.testing.kafka.KafkaPki;
import org.redissync.testing.kafka.KafkaUsers;

/**
 * A broker of its own with authentication and ACLs on, as the suite runs it: its own PKI, an admin (super user)
 * password, one SCRAM user per service of {@code clusters} with a random password, and topics, users and ACLs made by
 * the broker itself from its provisioning file before it says it is ready. For the tests that try what a principal
 * may and may not do; close it when done.
 */
public final class SecuredKafka implements AutoCloseable {

    private final KafkaBroker broker;
    private final Path dir;
    private final KafkaPki pki;
    private final String adminPassword;
    private final Map<String, String> passwords;

    private SecuredKafka(KafkaBroker broker, Path dir, KafkaPki pki, String adminPassword, Map<String, String> passwords) {
        this.broker = broker;
        this.dir = dir;
        this.pki = pki;
        this.adminPassword = adminPassword;
        this.passwords = passwords;
    }

    /** Starts one, under the tests' work directory, for the topic prefix {@code prefix} and {@code clusters}. */
    public static SecuredKafka start(String prefix, List<String> clusters) throws IOException {
        Path dir = Files.createTempDirectory(SharedKafka.workDir(), "kafka-secured-");
        KafkaPki pki = KafkaPki.in(dir.resolve("pki"), List.of("127.0.0.1", "localhost"));
        String adminPassword = secret();
        Path adminFile = Files.writeString(dir.resolve("admin-password"), adminPassword);
        Map<String, String> passwords = new HashMap<>();
        for (String user : KafkaUsers.of(clusters)) {
            passwords.put(user, secret());
        }
        Properties provisioning = new Properties();
        provisioning.putAll(KafkaUsers.provisioning(prefix, clusters, passwords));
        Path file = dir.resolve("provisioning.properties");
        try (var out = Files.newOutputStream(file)) {
            provisioning.store(out, null);
        }
        return new SecuredKafka(KafkaBroker.startSecured(dir.resolve("broker"), 0, pki, adminFile, file), dir, pki, adminPassword,
                passwords);
    }

    /** A random password (or any secret) for a test. */
    public static String secret() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public KafkaBroker broker() {
        return broker;
    }

    /** The broker's data directory (its settings file, its log). */
    public Path brokerDir() {
        return dir.resolve("broker");
    }

    public KafkaPki pki() {
        return pki;
    }

    /** The super user's ({@code admin}) password. */
    public String adminPassword() {
        return adminPassword;
    }

    /** Each service user's password, by user name. */
    public Map<String, String> passwords() {
        return passwords;
    }

    /** A client's settings as {@code user}: SASL_SSL, SCRAM-SHA-512, trusting the broker's CA, its bootstrap servers. */
    public Map<String, String> client(String user, String password) {
        Map<String, String> m = new HashMap<>(KafkaUsers.clientProperties(user, password, pki.caPem()));
        m.put("bootstrap.servers", broker.bootstrapServers());
        return m;
    }

    @Override
    public void close() {
        broker.close();
    }
}
