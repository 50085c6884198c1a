package org.redissync.syncer.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.vertx.core.buffer.Buffer;

import org.junit.jupiter.api.Test;

class RespCommandScannerTest {

    static final Set<String> REPLICATION = Set.of("SYNC", "PSYNC", "REPLCONF");

    static String resp(String... args) {
        StringBuilder b = new StringBuilder("*" + args.length + "\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString();
    }

    List<String> commands(RespCommandScanner s, String... chunks) {
        List<String> seen = new ArrayList<>();
        for (String c : chunks) {
            s.scan(Buffer.buffer(c), cmd -> seen.add(cmd.toString().toUpperCase()) || true);
        }
        return seen;
    }

    @Test
    void findsPipelinedMultibulkCommandsAndSkipsTheirPayloads() {
        String stream = resp("SET", "k", "PSYNC looks like a command but is a value\r\n*1\r\n") + resp("get", "k") + resp("PING");
        assertThat(commands(new RespCommandScanner(), stream)).containsExactly("SET", "GET", "PING");
    }

    @Test
    void findsCommandsSplitAcrossEveryPossibleBufferBoundary() {
        String stream = resp("SET", "key", "x".repeat(100)) + "PING\r\n" + resp("REPLCONF", "listening-port", "6380") + "psync ? -1\r\n";
        for (int cut = 1; cut < stream.length(); cut++) {
            assertThat(commands(new RespCommandScanner(), stream.substring(0, cut), stream.substring(cut)))
                    .as("cut at " + cut).containsExactly("SET", "PING", "REPLCONF", "PSYNC");
        }
        List<String> byteByByte = new ArrayList<>();
        RespCommandScanner s = new RespCommandScanner();
        for (char c : stream.toCharArray()) {
            s.scan(Buffer.buffer(String.valueOf(c)), cmd -> byteByByte.add(cmd.toString().toUpperCase()) || true);
        }
        assertThat(byteByByte).containsExactly("SET", "PING", "REPLCONF", "PSYNC");
    }

    @Test
    void reportsWhereTheFirstRefusedCommandStartsSoWhatCameBeforeStillPasses() {
        String before = resp("SET", "a", "1") + "PING\r\n";
        String stream = before + resp("PSYNC", "?", "-1") + resp("GET", "a");
        int at = new RespCommandScanner().scan(Buffer.buffer(stream), cmd -> !REPLICATION.contains(cmd.toString().toUpperCase()));
        assertThat(at).isEqualTo(before.length());
        assertThat(new RespCommandScanner().scan(Buffer.buffer("SYNC\r\n"), cmd -> !REPLICATION.contains(cmd.toString().toUpperCase()))).isZero();
        assertThat(new RespCommandScanner().scan(Buffer.buffer(resp("GET", "x")), cmd -> !REPLICATION.contains(cmd.toString().toUpperCase()))).isEqualTo(-1);
    }
}
