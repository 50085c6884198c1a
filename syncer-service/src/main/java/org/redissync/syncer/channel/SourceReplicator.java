package org.redissync.syncer.channel;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Objects;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import com.moilioncircle.redis.replicator.Configuration;
import com.moilioncircle.redis.replicator.RedisSocketReplicator;
import com.moilioncircle.redis.replicator.Status;
import com.moilioncircle.redis.replicator.cmd.RedisCodec;
import com.moilioncircle.redis.replicator.cmd.ReplyParser;
import com.moilioncircle.redis.replicator.event.PreCommandSyncEvent;
import com.moilioncircle.redis.replicator.io.RedisInputStream;
import com.moilioncircle.redis.replicator.io.RedisOutputStream;
import com.moilioncircle.redis.replicator.rdb.dump.DumpRdbVisitor;
import com.moilioncircle.redis.replicator.util.Strings;

import org.redissync.events.SyncerStatusEvent.TlsFacts;
import org.redissync.syncer.resp.ReplicationStreamFramer;
import org.redissync.syncer.resp.RespCommand;

/**
 * A channel's PSYNC client. redis-replicator does the handshake's plumbing, the {@code PSYNC} reply
 * and the RDB of a full sync (as DUMP payloads); once the source streams commands, this class reads
 * the stream itself: {@link ReplicationStreamFramer} finds whole commands in the bytes as they
 * arrive and hands each to the {@link StreamSink} as a slice of the read buffer — no object per
 * argument, no strings, nothing encoded again (the library's reader made ~10 objects per command and
 * was the channel's bottleneck). A refusal by the source endpoint fails the connection with the
 * endpoint's own message, and the TLS facts of the live connection are kept.
 */
final class SourceReplicator extends RedisSocketReplicator {

    /** Where the streamed commands go, in order. */
    @FunctionalInterface
    interface StreamSink {
        /**
         * @param endOffset     the source's replication offset right after this command
         * @param receivedNanos when the read that completed it returned ({@code System.nanoTime()})
         */
        void command(RespCommand command, String replId, long endOffset, long receivedNanos) throws InterruptedException;
    }

    /** The stream's read buffer; a new one when less than {@link #MIN_READ} is left (queued commands still refer to the old). */
    private static final int CHUNK = 128 * 1024;
    private static final int MIN_READ = 16 * 1024;

    private volatile TlsFacts tls = TlsFacts.plaintext();
    private volatile String fullSyncReplId;
    private volatile long fullSyncOffset = -1;
    private volatile long connectedAt;

    private final StreamSink sink;
    private final int streamReadTimeoutMs;
    private InputStream socketInput;
    private HandshakeInput handshakeInput;

    /**
     * @param configuration       its read timeout bounds the handshake (a source that never answers)
     * @param streamReadTimeoutMs the read timeout once the source streams (it pings every 10 s)
     */
    SourceReplicator(String host, int port, Configuration configuration, StreamSink sink, int streamReadTimeoutMs) {
        super(host, port, configuration);
        this.sink = sink;
        this.streamReadTimeoutMs = streamReadTimeoutMs;
        setRdbVisitor(new DumpRdbVisitor(this));
    }

    @Override
    public void builtInCommandParserRegister() {
        // commands are never parsed into objects: stream() reads them
    }

    /** The library's connect, keeping the socket's own input stream for {@link #stream()}. */
    @Override
    protected void connect() throws IOException {
        if (!compareAndSet(Status.DISCONNECTED, Status.CONNECTING)) {
            return;
        }
        try {
            socket = socketFactory.createSocket(host, port, configuration.getConnectionTimeout());
            outputStream = new RedisOutputStream(socket.getOutputStream());
            socketInput = socket.getInputStream();
            handshakeInput = new HandshakeInput(socketInput, configuration.getBufferSize());
            handshakeInput.setRawByteListeners(rawByteListeners); // how DumpRdbVisitor collects a key's DUMP payload
            inputStream = handshakeInput;
            replyParser = new ReplyParser(inputStream, new RedisCodec());
        } finally {
            setStatus(Status.CONNECTED);
        }
    }

    /**
     * Ends the connection now. redis-replicator's {@code close()} only flags the stream loop, which
     * notices at the next command (the source pings every 10 s); closing the socket ends a blocked
     * read at once. Only whole commands were handed on, so this is a clean point.
     */
    void abort() {
        try {
            close();
        } catch (IOException ignored) {
            // flag only
        }
        java.net.Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /**
     * redis-replicator records the {@code +FULLRESYNC <replid> <offset>} position only after the RDB
     * has been parsed (its events fire with the previous position); the channel needs it when the
     * RDB ends, so it is taken from the reply here.
     */
    @Override
    protected SyncMode trySync(String reply) throws IOException {
        if (socket != null && (reply.startsWith("FULLRESYNC") || reply.startsWith("CONTINUE"))) {
            socket.setSoTimeout(streamReadTimeoutMs);
        }
        if (reply.startsWith("FULLRESYNC")) {
            String[] p = reply.split(" ");
            fullSyncReplId = p[1];
            fullSyncOffset = Long.parseLong(p[2]);
        }
        SyncMode mode = super.trySync(reply); // a full sync's RDB is parsed in here
        if (mode != SyncMode.SYNC_LATER && getStatus() == Status.CONNECTED) {
            if (mode == SyncMode.PSYNC) {
                // At once, as a Redis replica does when it has loaded the RDB: after a diskless full sync Redis 7
                // starts the command stream only on the replica's first ACK (else a second later, at the heartbeat).
                acknowledge(configuration.getReplOffset());
                heartbeat();
            }
            submitEvent(new PreCommandSyncEvent());
            stream();
            // stream() returns only when close() changed the status (the library then returns too); else it throws
        }
        return mode;
    }

    /**
     * Reads the command stream until the connection ends: an {@link IOException} (the source closed,
     * a dead link's timeout, or {@link #abort()} closing the socket under the read). Every command goes
     * to the sink with the offset right after it, pings and {@code REPLCONF GETACK} included (the
     * applier drops them, but its position covers their bytes); a {@code GETACK} is answered with the
     * offset before it, as a Redis replica does.
     */
    private void stream() throws IOException {
        String replId = configuration.getReplId();
        long offset = configuration.getReplOffset();
        ReplicationStreamFramer framer = new ReplicationStreamFramer();
        byte[] buf = new byte[Math.max(CHUNK, handshakeInput.buffered() + MIN_READ)];
        int filled = handshakeInput.drainTo(buf);
        int pos = 0;
        try {
            while (getStatus() == Status.CONNECTED) {
                long now = System.nanoTime();
                long before = offset;
                RespCommand c;
                while ((c = framer.next(buf, pos, filled)) != null) {
                    pos = framer.position();
                    if (c.argc() >= 2 && c.argIs(0, "REPLCONF") && c.argIs(1, "GETACK")) {
                        acknowledge(offset);
                    }
                    offset += c.length();
                    sink.command(c, replId, offset, now);
                }
                pos = framer.position();
                if (offset != before) {
                    configuration.addOffset(offset - before); // what the heartbeat acknowledges
                }
                if (buf.length - filled < MIN_READ) {
                    int rest = filled - pos;
                    byte[] next = new byte[Math.max(CHUNK, 2 * rest + MIN_READ)];
                    System.arraycopy(buf, pos, next, 0, rest);
                    buf = next;
                    filled = rest;
                    pos = 0;
                }
                int n = socketInput.read(buf, filled, buf.length - filled);
                if (n < 0) {
                    throw new EOFException("the source closed the connection");
                }
                filled += n;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while streaming");
        }
    }

    private void acknowledge(long offset) {
        byte[] ack = Long.toString(offset).getBytes(StandardCharsets.US_ASCII);
        // on the heartbeat's thread: the only other writer of this connection
        executor.execute(() -> sendQuietly("REPLCONF".getBytes(StandardCharsets.US_ASCII), "ACK".getBytes(StandardCharsets.US_ASCII), ack));
    }

    String fullSyncReplId() {
        return fullSyncReplId;
    }

    long fullSyncOffset() {
        return fullSyncOffset;
    }

    /** When TCP connect and TLS handshake were done (nanoTime). */
    long connectedAt() {
        return connectedAt;
    }

    TlsFacts tls() {
        return tls;
    }

    /**
     * redis-replicator's handshake, pipelined: {@code AUTH} (when the URI has a password), {@code PING}
     * and the four {@code REPLCONF}s go out in one write and their replies are read in order — one
     * round trip through the source's endpoint instead of six, which is most of a rebuild once the TLS
     * handshake is done. Same checks as the library's, step by step. {@code PSYNC} cannot join them:
     * Redis refuses it while the connection has replies not yet written ("SYNC and PSYNC are invalid
     * with pending output").
     */
    @Override
    protected void establishConnection() throws IOException {
        connect();
        if (socket instanceof SSLSocket ssl) {
            ssl.startHandshake();
        }
        connectedAt = System.nanoTime();
        String user = configuration.getAuthUser();
        String password = configuration.getAuthPassword();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256);
        if (password != null) {
            command(out, user == null ? new String[] {"AUTH", password} : new String[] {"AUTH", user, password});
        }
        command(out, "PING");
        command(out, "REPLCONF", "listening-port", String.valueOf(socket.getLocalPort()));
        command(out, "REPLCONF", "ip-address", socket.getLocalAddress().getHostAddress());
        command(out, "REPLCONF", "capa", "eof");
        command(out, "REPLCONF", "capa", "psync2");
        outputStream.write(out.toByteArray());
        outputStream.flush();
        if (password != null) {
            String reply = Strings.toString(reply());
            if (!"OK".equals(reply) && !reply.contains("no password") && !reply.contains("without any password")) {
                throw new AssertionError("[AUTH] failed. " + reply);
            }
        }
        String pong = Strings.toString(reply());
        if (pong.contains("NOAUTH") || pong.contains("NOPERM")) {
            throw new AssertionError(pong);
        }
        if (pong.contains("operation not permitted")) {
            throw new AssertionError("-NOAUTH Authentication required.");
        }
        String port = Strings.toString(reply());
        if (!Objects.equals(port, "OK")) {
            throw new RefusedException("the source refused replication: " + port);
        }
        for (int i = 0; i < 3; i++) {
            reply(); // ip-address and capas: older sources answer errors, as the library tolerates
        }
        if (socket instanceof SSLSocket ssl) {
            SSLSession s = ssl.getSession();
            X509Certificate peer = (X509Certificate) s.getPeerCertificates()[0];
            tls = new TlsFacts(true, s.getProtocol(), s.getCipherSuite(), peer.getSubjectX500Principal().getName(),
                    peer.getNotAfter().toInstant());
        } else {
            tls = TlsFacts.plaintext();
        }
    }

    private static void command(java.io.ByteArrayOutputStream out, String... args) {
        StringBuilder b = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String a : args) {
            byte[] bytes = a.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            b.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
        }
        out.writeBytes(b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The library's buffered reader, for the handshake and the RDB; what it read ahead of them starts the stream. */
    private static final class HandshakeInput extends RedisInputStream {
        HandshakeInput(InputStream in, int size) {
            super(in, size);
        }

        int buffered() {
            return tail - head;
        }

        /** Moves the bytes read ahead to the start of {@code dst} (at least {@link #buffered()} long); returns how many. */
        int drainTo(byte[] dst) {
            int n = tail - head;
            System.arraycopy(buf, head, dst, 0, n);
            head = tail;
            return n;
        }
    }

    /** The source answered a replication handshake step with an error. */
    static final class RefusedException extends IOException {
        RefusedException(String message) {
            super(message);
        }
    }
}
