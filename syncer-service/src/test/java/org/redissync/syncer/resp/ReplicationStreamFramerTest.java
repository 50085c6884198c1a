package org.redissync.syncer.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

class ReplicationStreamFramerTest {

    static final byte[] STREAM = bytes("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
            + "*3\r\n$3\r\nset\r\n$3\r\nk:1\r\n$0\r\n\r\n"
            + "\n" // a keep-alive newline: skipped, not counted
            + "*1\r\n$4\r\nPING\r\n"
            + "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"
            + "*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$12\r\nhas\r\nCRLF \r\n\r\n");

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Frames {@code stream} delivered in pieces of {@code piece} bytes, the way the reader does (slices stay valid). */
    static List<RespCommand> frame(byte[] stream, int piece) throws IOException {
        ReplicationStreamFramer framer = new ReplicationStreamFramer();
        List<RespCommand> out = new ArrayList<>();
        byte[] buf = new byte[stream.length];
        int filled = 0;
        int pos = 0;
        for (int at = 0; at < stream.length; at += piece) {
            int n = Math.min(piece, stream.length - at);
            System.arraycopy(stream, at, buf, filled, n);
            filled += n;
            RespCommand c;
            while ((c = framer.next(buf, pos, filled)) != null) {
                out.add(c);
                pos = framer.position();
            }
            pos = framer.position();
        }
        assertThat(pos).as("everything consumed").isEqualTo(filled);
        return out;
    }

    static List<String> words(RespCommand c) {
        List<String> w = new ArrayList<>();
        for (int i = 0; i < c.argc(); i++) {
            w.add(new String(c.arg(i), StandardCharsets.UTF_8));
        }
        return w;
    }

    @Test
    void findsEveryCommandWhateverThePiecesAndCountsItsExactBytes() throws IOException {
        for (int piece = 1; piece <= STREAM.length; piece++) {
            List<RespCommand> cmds = frame(STREAM, piece);
            assertThat(cmds).hasSize(5);
            assertThat(words(cmds.get(0))).containsExactly("SELECT", "0");
            assertThat(words(cmds.get(1))).containsExactly("set", "k:1", "");
            assertThat(words(cmds.get(2))).containsExactly("PING");
            assertThat(words(cmds.get(3))).containsExactly("REPLCONF", "GETACK", "*");
            assertThat(words(cmds.get(4))).containsExactly("RPUSH", "l", "has\r\nCRLF \r\n");
            // the offset advances by the commands' bytes: everything but the keep-alive newline
            assertThat(cmds.stream().mapToInt(RespCommand::length).sum()).isEqualTo(STREAM.length - 1);
            // each slice is the command exactly as sent
            RespCommand set = cmds.get(1);
            assertThat(new String(set.buffer(), set.start(), set.length(), StandardCharsets.UTF_8))
                    .isEqualTo("*3\r\n$3\r\nset\r\n$3\r\nk:1\r\n$0\r\n\r\n");
        }
    }

    @Test
    void aCommandIsLookedAtInPlace() throws IOException {
        RespCommand c = frame(bytes("*3\r\n$7\r\npublish\r\n$19\r\n__redissync:applied\r\n$3\r\ng/x\r\n"), 7).get(0);
        assertThat(c.argIs(0, "PUBLISH")).isTrue();
        assertThat(c.argIs(0, "PUBLIS")).isFalse();
        assertThat(c.argEquals(1, bytes("__redissync:applied"))).isTrue();
        assertThat(c.argEquals(1, bytes("__redissync:applie"))).isFalse();
        assertThat(c.argStartsWith(1, bytes("__redissync:"))).isTrue();
        assertThat(c.argStartsWith(2, bytes("g/x/longer"))).isFalse();
        assertThat(frame(bytes("*2\r\n$6\r\nSELECT\r\n$2\r\n15\r\n"), 3).get(0).argInt(1)).isEqualTo(15);
    }

    @Test
    void aLargeValueArrivesWhole() throws IOException {
        byte[] value = new byte[300_000];
        Arrays.fill(value, (byte) 'v');
        RespCommand built = RespCommand.of(bytes("SET"), bytes("big"), value);
        List<RespCommand> cmds = frame(Arrays.copyOfRange(built.buffer(), built.start(), built.start() + built.length()), 16 * 1024);
        assertThat(cmds).hasSize(1);
        assertThat(cmds.get(0).arg(2)).isEqualTo(value);
    }

    @Test
    void whatTheApplierBuildsEncodesAsRedisWould() {
        RespCommand c = RespCommand.of("SET", "k", "");
        assertThat(new String(c.buffer(), c.start(), c.length(), StandardCharsets.UTF_8)).isEqualTo("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
        ByteArrayOutputStream ten = new ByteArrayOutputStream();
        String[] many = new String[12];
        Arrays.fill(many, "x");
        RespCommand m = RespCommand.of(many);
        ten.write(m.buffer(), m.start(), m.length());
        assertThat(ten.toString(StandardCharsets.UTF_8)).startsWith("*12\r\n$1\r\nx\r\n");
        assertThat(m.argc()).isEqualTo(12);
    }

    @Test
    void anythingButMultibulkCommandsIsABrokenStream() {
        for (String bad : List.of("+OK\r\n", "*2\r\n:1\r\n", "*x\r\n", "*0\r\n", "*-1\r\n", "*1\r\n$-1\r\n", "*1\r\n$3\r\nabcde\r\n",
                "*1\r\n$1\r\na\rx", "*12345678901\r\n", "*1\n")) {
            assertThatThrownBy(() -> frame(bytes(bad), bad.length())).as(bad).isInstanceOf(IOException.class)
                    .hasMessageContaining("replication stream");
        }
    }

    @Test
    void anIncompleteCommandWaits() throws IOException {
        ReplicationStreamFramer framer = new ReplicationStreamFramer();
        byte[] part = bytes("*2\r\n$4\r\nINCR\r\n$1\r\n");
        assertThat(framer.next(part, 0, part.length)).isNull();
        assertThat(framer.position()).isZero();
        byte[] nl = bytes("\n\n*1");
        assertThat(framer.next(nl, 0, nl.length)).isNull();
        assertThat(framer.position()).as("newlines consumed, the command's start kept").isEqualTo(2);
    }
}
