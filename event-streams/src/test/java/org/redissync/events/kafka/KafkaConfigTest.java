package org.redissync.events.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConfigTest {

    static KafkaConfig config(Map<String, String> client, Optional<String> file) {
        return new TestKafkaConfig("kafka:9093", Optional.empty(), (short) 3, client, file);
    }

    @Test
    void aClientPropertiesFileIsPassedToKafkaAsWrittenAndClientSettingsWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kafka-client.properties");
        Files.writeString(file, """
                security.protocol=SSL
                config.providers=dir
                ssl.keystore.password=${dir:/etc/redis-sync/kafka-user:user.password}
                ssl.endpoint.identification.algorithm=https
                """);
        KafkaSettings s = config(Map.of("ssl.endpoint.identification.algorithm", ""), Optional.of(file.toString()))
                .settings("syncer-service");
        assertEquals("SSL", s.common().get("security.protocol"));
        assertEquals("${dir:/etc/redis-sync/kafka-user:user.password}", s.common().get("ssl.keystore.password"));
        assertEquals("", s.common().get("ssl.endpoint.identification.algorithm"));
        assertEquals("kafka:9093", s.common().get("bootstrap.servers"));
    }

    @Test
    void noFileMeansOnlyTheClientSettings() {
        KafkaSettings s = config(Map.of("security.protocol", "SSL"), Optional.empty()).settings("x");
        assertEquals("SSL", s.clientProperties().get("security.protocol"));
        assertEquals(1, s.clientProperties().size());
    }

    @Test
    void aMissingFileFailsTheStartWithItsName(@TempDir Path dir) {
        KafkaConfig c = config(Map.of(), Optional.of(dir.resolve("absent.properties").toString()));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> c.settings("x"));
        assertEquals(true, e.getMessage().contains("absent.properties"));
    }
}
