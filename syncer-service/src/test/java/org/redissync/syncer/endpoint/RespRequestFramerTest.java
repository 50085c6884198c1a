package org.redissync.syncer.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.redissync.syncer.endpoint.RespCommandScannerTest.resp;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import org.junit.jupiter.api.Test;
import org.redissync.syncer.endpoint.RespRequestFramer.Stop;

class RespRequestFramerTest {

    static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    /**
     * Scans {@code s} in a heap buffer and in a direct one read by address (starting past a few other bytes,
     * as a buffer the endpoint reads usually does); both must agree.
     */
    RespRequestFramer scan(String s) {
        RespRequestFramer heap = new RespRequestFramer().scan(bytes(s));
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        ByteBuf direct = Unpooled.directBuffer(b.length + 3).writeBytes(new byte[] {'*', '9', '\r'}).writeBytes(b).skipBytes(3);
        assertThat(direct.hasMemoryAddress()).isTrue();
        RespRequestFramer byAddress = new RespRequestFramer().scan(direct);
        assertThat(byAddress.stop()).isEqualTo(heap.stop());
        assertThat(byAddress.commands()).isEqualTo(heap.commands());
        assertThat(byAddress.complete()).isEqualTo(heap.complete());
        direct.release();
        return heap;
    }

    @Test
    void wholePipelinedCommandsShareAndAreCounted() {
        String s = resp("SET", "k", "a value with *3\r\n$1 inside") + resp("get", "k") + resp("INCR", "n");
        RespRequestFramer f = scan(s);
        assertThat(f.stop()).isEqualTo(Stop.END);
        assertThat(f.commands()).isEqualTo(3);
        assertThat(f.complete()).isEqualTo(s.length());
    }

    @Test
    void everySplitPointGivesTheWholeCommandsBeforeItAndWaitsForTheRest() {
        String first = resp("SET", "key", "value");
        String s = first + resp("GET", "key");
        for (int cut = 0; cut < s.length(); cut++) {
            RespRequestFramer f = scan(s.substring(0, cut));
            int whole = cut >= first.length() ? 1 : 0;
            assertThat(f.commands()).as("cut at %d", cut).isEqualTo(whole);
            assertThat(f.complete()).as("cut at %d", cut).isEqualTo(whole == 1 ? first.length() : 0);
            assertThat(f.stop()).as("cut at %d", cut).isEqualTo(cut == 0 || cut == first.length() ? Stop.END : Stop.PARTIAL);
        }
    }

    @Test
    void commandsThatChangeOrBlockTheirConnectionStopTheSharingWhereTheyStart() {
        for (String cmd : new String[] {"SELECT", "select", "Multi", "AUTH", "HELLO", "CLIENT", "SUBSCRIBE", "MONITOR", "BLPOP",
                "XREAD", "PSYNC", "WAIT", "QUIT", "RESET", "WATCH"}) {
            String before = resp("SET", "a", "1");
            RespRequestFramer f = scan(before + resp(cmd, "x") + resp("GET", "a"));
            assertThat(f.stop()).as(cmd).isEqualTo(Stop.DEDICATED);
            assertThat(f.commands()).as(cmd).isEqualTo(1);
            assertThat(f.complete()).as(cmd).isEqualTo(before.length());
        }
        // known as soon as the name has arrived, before the rest of the command
        assertThat(scan("*2\r\n$6\r\nSELECT\r\n$1").stop()).isEqualTo(Stop.DEDICATED);
        assertThat(scan("*3\r\n$3\r\nSET\r\n$1").stop()).isEqualTo(Stop.PARTIAL);
    }

    @Test
    void whatRedisWouldParseDifferentlyOrRejectGetsAConnectionOfItsOwn() {
        assertThat(scan("PING\r\n").stop()).as("inline").isEqualTo(Stop.DEDICATED);
        assertThat(scan("*0\r\n").stop()).as("empty multibulk: no reply").isEqualTo(Stop.DEDICATED);
        assertThat(scan("*-1\r\n").stop()).isEqualTo(Stop.DEDICATED);
        assertThat(scan("*1\r\n+PING\r\n").stop()).as("not a bulk").isEqualTo(Stop.DEDICATED);
        assertThat(scan("*1\r\n$x\r\n").stop()).isEqualTo(Stop.DEDICATED);
        assertThat(scan("*1\r\n$4\r\nPINGxx").stop()).as("no CRLF after the payload").isEqualTo(Stop.DEDICATED);
        assertThat(scan("*1\r\n$0\r\n\r\n").stop()).as("empty command name").isEqualTo(Stop.DEDICATED);
        assertThat(scan("*1\r\n$" + (RespRequestFramer.MAX_BULK + 1) + "\r\n").stop()).isEqualTo(Stop.DEDICATED);
        assertThat(scan("*99999999999\r\n").stop()).isEqualTo(Stop.DEDICATED);
    }
}
