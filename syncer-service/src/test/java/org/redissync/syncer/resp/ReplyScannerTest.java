package org.redissync.syncer.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import org.junit.jupiter.api.Test;

class ReplyScannerTest {

    static final List<String> REPLIES = List.of("+OK\r\n", "-ERR wrong\r\n", ":42\r\n", "$5\r\nhe\r\nl\r\n", "$-1\r\n", "$0\r\n\r\n",
            "*-1\r\n", "*0\r\n", "*3\r\n$1\r\na\r\n:1\r\n*2\r\n+x\r\n*1\r\n$-1\r\n", "*2\r\n*0\r\n*1\r\n*1\r\n:7\r\n",
            "%1\r\n+k\r\n$1\r\nv\r\n", "_\r\n", ",3.14\r\n", "#t\r\n", "~2\r\n:1\r\n:2\r\n", "=7\r\ntxt:abc\r\n");

    /** Reply end offsets found when the stream arrives in pieces of {@code piece} bytes. */
    static List<Integer> ends(String stream, int piece) {
        ByteBuf buf = Unpooled.copiedBuffer(stream, StandardCharsets.UTF_8);
        try {
            ReplyScanner s = new ReplyScanner();
            List<Integer> ends = new ArrayList<>();
            for (int from = 0; from < buf.writerIndex(); from += piece) {
                int to = Math.min(buf.writerIndex(), from + piece);
                int at = from;
                while (at < to) {
                    int r = s.next(buf, at, to);
                    if (r < 0) {
                        break;
                    }
                    ends.add(r);
                    at = r;
                }
            }
            return ends;
        } finally {
            buf.release();
        }
    }

    @Test
    void findsTheEndOfEveryReplyTypeWhateverThePiecesItArrivesIn() {
        String stream = String.join("", REPLIES);
        List<Integer> expected = new ArrayList<>();
        int at = 0;
        for (String r : REPLIES) {
            at += r.length();
            expected.add(at);
        }
        for (int piece = 1; piece <= stream.length(); piece++) {
            assertThat(ends(stream, piece)).as("pieces of %d bytes", piece).isEqualTo(expected);
        }
    }

    @Test
    void aBulkPayloadThatLooksLikeRepliesIsSkippedByItsLength() {
        String fake = "+OK\r\n:1\r\n*2\r\n";
        String stream = "$" + fake.length() + "\r\n" + fake + "\r\n:5\r\n";
        assertThat(ends(stream, 3)).containsExactly(stream.length() - 4, stream.length());
    }

    @Test
    void garbageIsAProtocolError() {
        assertThatThrownBy(() -> ends("hello\r\n", 64)).isInstanceOf(ReplyScanner.ProtocolException.class);
    }

    @Test
    void pushFramesAndAttributesAreFollowedAndBoundariesAreKnown() {
        assertThat(ends(">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n+OK\r\n", 64)).hasSize(2);
        assertThat(ends("|1\r\n+k\r\n:1\r\n+OK\r\n", 64)).hasSize(2);
        ReplyScanner s = new ReplyScanner();
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.copiedBuffer("*2\r\n:1\r\n", java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(s.atBoundary()).isTrue();
        assertThat(s.next(b, 0, b.writerIndex())).isEqualTo(-1);
        assertThat(s.atBoundary()).isFalse();
        b.release();
    }
}
