package org.redissync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real Apache Kafka broker (KRaft, combined mode) in its own JVM, started from the jar that
 * {@code kafka-broker} builds. Used by the local suite and by integration tests.
 */
public final class KafkaBroker implements AutoCloseable {

    /** System property / environment variable naming the broker jar. */
    public static final String JAR_PROPERTY = "suite.kafka.broker.jar";
    public static final String JAR_ENV = "REDISSYNC_KAFKA_BROKER_JAR";

    private final ManagedProcess process;
    private final String bootstrapServers;
    private final Path dataDir;

    private KafkaBroker(ManagedProcess process, String bootstrapServers, Path dataDir) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
    }

    /**
     * Starts a broker keeping its data in {@code dataDir} (formatted on first use, reused after).
     *
     * @param port the client port, 0 for a free one
     */
    public static KafkaBroker start(Path dataDir, int port) {
        return start(dataDir, port, List.of());
    }

    /**
     * A broker with authentication and authorization on (no plaintext port): SCRAM-SHA-512 over TLS with
     * {@code pki}'s broker certificate, Kafka's StandardAuthorizer, super user {@code admin} with the password
     * in {@code adminPasswordFile}; it makes the suite's topics, users and ACLs from {@code provisioning}
     * ({@link org.redissync.testing.kafka.KafkaUsers#provisioning}) before it is ready.
     */
    public static KafkaBroker startSecured(Path dataDir, int port, org.redissync.testing.kafka.KafkaPki pki, Path adminPasswordFile,
            Path provisioning) {
        return start(dataDir, port, securedArgs(pki, adminPasswordFile, provisioning));
    }

    /** The launcher's arguments for a secured broker that provisions its topics, users and ACLs from {@code provisioning}. */
    public static List<String> securedArgs(org.redissync.testing.kafka.KafkaPki pki, Path adminPasswordFile, Path provisioning) {
        return List.of("--secured", pki.keystorePem().toAbsolutePath() + ":" + pki.caPem().toAbsolutePath() + ":"
                + adminPasswordFile.toAbsolutePath(), "--provision", provisioning.toAbsolutePath().toString());
    }

    /**
     * As {@link #start(Path, int)}, with extra arguments for the broker's launcher, e.g.
     * {@code --ssl-port N --prop ssl.keystore.location=...} for an SSL listener next to the plaintext one.
     */
    public static KafkaBroker start(Path dataDir, int port, List<String> extraArgs) {
        Path jar = locateJar();
        Path dir = dataDir.toAbsolutePath();
        Path ready = dir.resolve("ready");
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(ready);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (port != 0 && FreePorts.inUse(port)) {
            throw new StartupException("Kafka broker: port " + port + " is already in use; free it or choose another port");
        }
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
                "-jar", jar.toString(),
                "--data-dir", dir.toString(),
                "--port", Integer.toString(port),
                "--ready-file", ready.toString(),
                "--log-file", dir.resolve("kafka.log").toString()));
        cmd.addAll(extraArgs);
        ManagedProcess p = ManagedProcess.start("kafka-broker", cmd, dir, dir.resolve("kafka.out"), Map.of());
        boolean ok = Waits.until(() -> Files.exists(ready), p::isAlive, Duration.ofSeconds(90));
        if (!ok) {
            String tail = p.logTail(15) + "\n" + tailOf(dir.resolve("kafka.log"), 15);
            p.stop(Duration.ofSeconds(5));
            throw new StartupException("Kafka broker did not start within 90 s (log: " + dir.resolve("kafka.log")
                    + "); check the port and free disk space. Last lines:\n" + tail);
        }
        return new KafkaBroker(p, readBootstrap(ready), dir);
    }

    /** Adopts a running broker started earlier whose ready file is in {@code dataDir}. */
    public static Optional<KafkaBroker> adopt(Path dataDir, long pid) {
        Path dir = dataDir.toAbsolutePath();
        Path ready = dir.resolve("ready");
        if (!Files.exists(ready)) {
            return Optional.empty();
        }
        return ManagedProcess.adopt("kafka-broker", pid, dir.resolve("kafka.out"))
                .map(p -> new KafkaBroker(p, readBootstrap(ready), dir));
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public ManagedProcess process() {
        return process;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(20));
    }

    static Path locateJar() {
        String configured = Optional.ofNullable(System.getProperty(JAR_PROPERTY)).orElse(System.getenv(JAR_ENV));
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            if (Files.isRegularFile(p)) {
                return p;
            }
            throw new StartupException("Kafka broker jar " + p + " does not exist; build it with ./mvnw -pl kafka-broker package");
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("kafka-broker/target/kafka-broker.jar");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new StartupException("Kafka broker jar not found; build it with ./mvnw -pl kafka-broker package "
                + "or set " + JAR_ENV);
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String readBootstrap(Path ready) {
        try {
            return Files.readAllLines(ready).stream()
                    .filter(l -> l.startsWith("bootstrap="))
                    .map(l -> l.substring("bootstrap=".length()))
                    .findFirst()
                    .orElseThrow(() -> new StartupException("Kafka broker ready file " + ready + " has no bootstrap line"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tailOf(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "";
        }
    }
}
