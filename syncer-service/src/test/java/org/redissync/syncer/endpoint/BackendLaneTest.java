package org.redissync.syncer.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import org.junit.jupiter.api.Test;

/**
 * How a shared backend connection hands replies back: every client gets exactly its replies, and a client's run of
 * commands that a read answers only in part is flushed once, when the rest has come (one TLS record instead of two),
 * without holding anyone for ever or beyond {@link BackendLane#HOLD_LIMIT}.
 */
class BackendLaneTest {

    private static final String OK = "+OK\r\n";

    @Test
    void aRunAnsweredAcrossTwoReadsIsFlushedOnceWithAllItsReplies() {
        BackendLane lane = new BackendLane(() -> { });
        FakeClient a = new FakeClient();
        FakeClient b = new FakeClient();
        lane.send(a, commands(16), 16);
        lane.send(b, commands(16), 16);

        lane.onReplies(replies(OK.repeat(16) + OK.repeat(10)));
        assertThat(a.flushes).containsExactly(OK.repeat(16));
        assertThat(b.flushes).isEmpty(); // its other six replies are on their way
        assertThat(b.answered).isEqualTo(10);

        lane.onReplies(replies(OK.repeat(6)));
        assertThat(b.flushes).containsExactly(OK.repeat(16));
        assertThat(a.flushes).hasSize(1);
    }

    @Test
    void aClientWhoseEarlierRunCompletedInTheReadIsFlushedNotHeld() {
        // a client that keeps sending: its runs interleave with another client's; were it held whenever a read ends
        // inside one of its runs, it could wait for ever
        BackendLane lane = new BackendLane(() -> { });
        FakeClient a = new FakeClient();
        FakeClient b = new FakeClient();
        lane.send(a, commands(2), 2);
        lane.send(b, commands(1), 1);
        lane.send(a, commands(2), 2);

        lane.onReplies(replies(OK + OK + ":1\r\n" + OK));
        assertThat(a.flushes).containsExactly(OK + OK + OK);
        assertThat(b.flushes).containsExactly(":1\r\n");

        lane.onReplies(replies(OK));
        assertThat(a.flushes).containsExactly(OK + OK + OK, OK);
    }

    @Test
    void aLongReplyIsFlushedOnceTheHeldBytesReachTheLimit() {
        BackendLane lane = new BackendLane(() -> { });
        FakeClient a = new FakeClient();
        lane.send(a, commands(1), 1);
        String value = "v".repeat(100_000);
        String reply = "$" + value.length() + "\r\n" + value + "\r\n";
        int chunk = 30_000;

        lane.onReplies(replies(reply.substring(0, chunk)));
        lane.onReplies(replies(reply.substring(chunk, 2 * chunk)));
        assertThat(a.flushes).isEmpty();
        lane.onReplies(replies(reply.substring(2 * chunk, 3 * chunk))); // 90 000 bytes held: over the limit
        assertThat(a.flushes).containsExactly(reply.substring(0, 3 * chunk));
        lane.onReplies(replies(reply.substring(3 * chunk)));
        assertThat(String.join("", a.flushes)).isEqualTo(reply);
        assertThat(a.answered).isEqualTo(1);
    }

    @Test
    void aFailingLaneFlushesWhatItHeldBeforeTheClientLosesIt() {
        BackendLane lane = new BackendLane(() -> { });
        FakeClient a = new FakeClient();
        lane.send(a, commands(2), 2);

        lane.onReplies(replies(OK));
        assertThat(a.flushes).isEmpty();
        lane.fail();
        assertThat(a.flushes).containsExactly(OK);
        assertThat(a.lost).isTrue();
    }

    private static ByteBuf commands(int n) {
        return Unpooled.copiedBuffer("*1\r\n$4\r\nPING\r\n".repeat(n), StandardCharsets.US_ASCII);
    }

    private static ByteBuf replies(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static final class FakeClient implements BackendLane.Client {
        final List<String> flushes = new ArrayList<>();
        final StringBuilder written = new StringBuilder();
        int answered;
        boolean lost;

        @Override
        public void deliver(ByteBuf replies) {
            written.append(replies.toString(StandardCharsets.US_ASCII));
            replies.release();
        }

        @Override
        public void answered(int n) {
            answered += n;
        }

        @Override
        public void flush() {
            if (written.length() > 0) {
                flushes.add(written.toString());
                written.setLength(0);
            }
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }

        @Override
        public void laneLost() {
            lost = true;
        }

        @Override
        public boolean closed() {
            return lost;
        }
    }
}
