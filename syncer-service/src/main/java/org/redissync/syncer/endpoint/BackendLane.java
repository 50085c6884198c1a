package org.redissync.syncer.endpoint;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;

import org.redissync.syncer.resp.ReplyScanner;

/**
 * One backend connection shared by many client connections of one endpoint on one event loop: their
 * commands go out in arrival order, written without a flush and flushed once per event-loop turn, and
 * each reply goes back to the client whose command it answers (a FIFO of who asked, run-length coded).
 * Redis answers a connection's commands in order, so the FIFO is exact. Everything runs on the one
 * event loop; nothing here blocks or locks. Design note: {@code docs/endpoints.md}, "Shared backend
 * connections".
 */
final class BackendLane {

    /** What a lane needs from a client connection. */
    interface Client {
        /** Bytes of replies to this client (a retained slice; the client owns it). */
        void deliver(ByteBuf replies);

        /** {@code n} of its commands have been answered completely. */
        void answered(int n);

        /** Flush what {@link #deliver} wrote. */
        void flush();

        /** The lane is too full: stop reading commands. */
        void pause();

        void resume();

        /** The lane is gone with commands of this client unanswered. */
        void laneLost();

        boolean closed();
    }

    private final Runnable onClose;
    private Wire socket;
    private ChannelHandlerContext ctx;
    private boolean failed;
    private TurnFlusher flusher;
    private final List<ByteBuf> beforeConnected = new ArrayList<>();
    private final ReplyScanner scanner = new ReplyScanner();
    private final List<Client> paused = new ArrayList<>();
    private final List<Client> toFlush = new ArrayList<>();
    /**
     * Replies up to this many bytes of a client whose run (its commands of one turn) is only partly answered at
     * the end of a read are written but not flushed: the rest is on its way (every command of the run was sent),
     * and one flush for the whole run makes one TLS record and one segment for the client instead of two.
     */
    static final int HOLD_LIMIT = 64 * 1024;
    /** The client whose replies are written but not flushed (the FIFO's head), and how many bytes. */
    private Client held;
    private int heldBytes;

    // FIFO of (client, commands still unanswered) runs, as a ring.
    private Client[] who = new Client[64];
    private int[] count = new int[64];
    private int head;
    private int size;

    BackendLane(Runnable onClose) {
        this.onClose = onClose;
    }

    /** The backend connection is up (called on the lane's event loop). */
    void connected(Wire s) {
        this.socket = s;
        this.ctx = s.ctx();
        this.flusher = new TurnFlusher(ctx, () -> !failed);
        s.onMessage(msg -> {
            if (msg instanceof ByteBuf buf) {
                onReplies(buf);
            } else {
                ReferenceCountUtil.release(msg);
            }
        });
        s.onClose(this::fail);
        s.onDrain(this::resumeAll);
        for (ByteBuf b : beforeConnected) {
            ctx.write(b, ctx.voidPromise());
        }
        beforeConnected.clear();
        ctx.flush();
    }

    boolean usable() {
        return !failed;
    }

    /** The client's next {@code n} commands (whole, in {@code bytes}, which the lane now owns). */
    void send(Client c, ByteBuf bytes, int n) {
        if (failed) {
            bytes.release();
            c.laneLost();
            return;
        }
        enqueue(c, n);
        if (ctx == null) {
            beforeConnected.add(bytes);
            return;
        }
        flusher.write(bytes); // one flush for the commands of all the clients served in this turn
        if (!ctx.channel().isWritable()) {
            c.pause();
            paused.add(c);
        }
    }

    private void enqueue(Client c, int n) {
        if (size > 0) {
            int tail = (head + size - 1) & (who.length - 1);
            if (who[tail] == c) {
                count[tail] += n;
                return;
            }
        }
        if (size == who.length) {
            Client[] w = new Client[size * 2];
            int[] k = new int[size * 2];
            for (int i = 0; i < size; i++) {
                w[i] = who[(head + i) & (size - 1)];
                k[i] = count[(head + i) & (size - 1)];
            }
            who = w;
            count = k;
            head = 0;
        }
        int at = (head + size) & (who.length - 1);
        who[at] = c;
        count[at] = n;
        size++;
    }

    /** Replies read from the backend (package-private for tests). */
    void onReplies(ByteBuf buf) {
        Client partial = null; // the head, when its run is partly answered by this read
        try {
            int end = buf.writerIndex();
            int pos = buf.readerIndex();
            int start = pos;
            int done = 0;
            while (pos < end) {
                if (size == 0) {
                    throw new ReplyScanner.ProtocolException("a reply nobody asked for");
                }
                int r = scanner.next(buf, pos, end);
                Client c = who[head];
                if (r < 0) {
                    partial = handPartial(c, buf, start, end, done); // the head's reply continues in the next read
                    start = end;
                    pos = end;
                    done = 0;
                    break;
                }
                pos = r;
                done++;
                if (--count[head] == 0) {
                    who[head] = null;
                    head = (head + 1) & (who.length - 1);
                    size--;
                    hand(c, buf, start, pos, done);
                    start = pos;
                    done = 0;
                }
            }
            if (start < pos && size > 0) {
                partial = handPartial(who[head], buf, start, pos, done);
            }
        } catch (ReplyScanner.ProtocolException e) {
            partial = null;
            socket.close();
            fail();
        } finally {
            buf.release();
        }
        if (held != null && held != partial) {
            held = null; // flushed below: its run is complete
        }
        for (Client c : toFlush) {
            if (c == partial) {
                held = c; // the rest of its run follows; flushed with it
            } else {
                c.flush();
            }
        }
        toFlush.clear();
    }

    /**
     * Hands the head its replies of a run that is not complete yet; returns it when they may be held back (its
     * first replies in this read — a client whose earlier run completed in this read is flushed now, else a
     * client that keeps sending could be held for ever), {@code null} when they are flushed at the end of the read.
     */
    private Client handPartial(Client c, ByteBuf buf, int from, int to, int answered) {
        boolean first = !toFlush.contains(c);
        hand(c, buf, from, to, answered);
        if (!first || c.closed()) {
            return null;
        }
        heldBytes = (c == held ? heldBytes : 0) + (to - from);
        return heldBytes < HOLD_LIMIT ? c : null;
    }

    private void hand(Client c, ByteBuf buf, int from, int to, int answered) {
        if (c.closed()) {
            return;
        }
        if (to > from) {
            c.deliver(buf.retainedSlice(from, to - from));
            if (!toFlush.contains(c)) {
                toFlush.add(c);
            }
        }
        if (answered > 0) {
            c.answered(answered);
        }
    }

    private void resumeAll() {
        List<Client> again = new ArrayList<>(paused);
        paused.clear();
        again.forEach(Client::resume);
    }

    /** The backend connection failed or closed: every client still waiting for a reply loses it. */
    void fail() {
        if (failed) {
            return;
        }
        failed = true;
        onClose.run();
        if (held != null) {
            held.flush(); // what it was answered reaches it before it is closed
            held = null;
        }
        beforeConnected.forEach(ReferenceCountUtil::release);
        beforeConnected.clear();
        List<Client> waiting = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Client c = who[(head + i) & (who.length - 1)];
            if (!waiting.contains(c)) {
                waiting.add(c);
            }
        }
        size = 0;
        waiting.forEach(Client::laneLost);
        resumeAll();
        if (socket != null) {
            socket.close();
        }
    }

    void close() {
        fail();
    }
}
