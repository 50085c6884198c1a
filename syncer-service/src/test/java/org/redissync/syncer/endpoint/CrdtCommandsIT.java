package org.redissync.syncer.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.redissync.testing.RedisServer;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/** Every command the redis-server here flags {@code write} is either convergent or refused on a CRDB instance: none passes unjudged. */
class CrdtCommandsIT {

    @Test
    void everyWriteCommandOfThisRedisIsJudged() throws Exception {
        try (RedisServer r = RedisServer.start(Files.createTempDirectory("crdt-commands"), 0, false, List.of());
                Jedis j = new Jedis("127.0.0.1", r.port())) {
            TreeSet<String> unjudged = new TreeSet<>();
            for (Object o : (List<?>) j.sendCommand(Protocol.Command.COMMAND)) {
                List<?> info = (List<?>) o;
                String name = new String((byte[]) info.get(0), StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
                boolean write = ((List<?>) info.get(2)).stream()
                        .anyMatch(f -> "write".equals(f instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : f));
                if (write && !CrdtCommands.CONVERGENT.contains(name) && !CrdtCommands.NOT_CONVERGENT.contains(name)) {
                    unjudged.add(name);
                }
            }
            assertThat(unjudged).as("write commands neither convergent nor refused on a CRDB instance").isEmpty();
        }
    }
}
