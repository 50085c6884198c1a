package org.redissync.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import org.redissync.testing.KafkaBroker;

/**
 * One real Kafka broker per test JVM, started on first use on a free port and stopped when the JVM
 * exits. Tests isolate themselves with unique topic prefixes and keys, never with a new broker.
 */
public final class SharedKafka {

    private static KafkaBroker broker;

    private SharedKafka() {
    }

    public static synchronized String bootstrapServers() {
        return broker().bootstrapServers();
    }

    public static synchronized KafkaBroker broker() {
        if (broker == null || !broker.process().isAlive()) {
            try {
                Path dir = Files.createTempDirectory(workDir(), "kafka-");
                broker = KafkaBroker.start(dir, 0);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            KafkaBroker started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-shared-kafka"));
        }
        return broker;
    }

    /** Where tests put their files: {@code suite.work.dir} (target/test-work under Maven). */
    public static Path workDir() throws java.io.IOException {
        String configured = System.getProperty("suite.work.dir");
        Path dir = configured != null ? Path.of(configured) : Path.of(System.getProperty("java.io.tmpdir"), "redis-sync-tests");
        return Files.createDirectories(dir);
    }
}
