package org.redissync.syncer.channel;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Objects;

import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import com.moilioncircle.redis.replicator.Configuration;
import com.moilioncircle.redis.replicator.RedisSocketReplicator;
import com.moilioncircle.redis.replicator.cmd.CommandName;
import com.moilioncircle.redis.replicator.cmd.parser.DefaultCommandParser;
import com.moilioncircle.redis.replicator.rdb.dump.DumpRdbVisitor;
import com.moilioncircle.redis.replicator.util.Strings;

import org.redissync.events.SyncerStatusEvent.TlsFacts;

/**
 * redis-replicator's PSYNC client, adjusted for channels: every command the local backend knows is
 * delivered raw ({@code DefaultCommand}: name and arguments as bytes, nothing re-encoded), the RDB
 * arrives as DUMP payloads, a refusal by the source endpoint fails the connection with the
 * endpoint's own message, and the TLS facts of the live connection are kept.
 */
final class SourceReplicator extends RedisSocketReplicator {

    private volatile TlsFacts tls = TlsFacts.plaintext();
    private volatile String fullSyncReplId;
    private volatile long fullSyncOffset = -1;
    private volatile long connectedAt;

    private final int streamReadTimeoutMs;

    /**
     * @param configuration       its read timeout bounds the handshake (a source that never answers)
     * @param streamReadTimeoutMs the read timeout once the source streams (it pings every 10 s)
     */
    SourceReplicator(String host, int port, Configuration configuration, Collection<String> commandNames, int streamReadTimeoutMs) {
        super(host, port, configuration);
        this.streamReadTimeoutMs = streamReadTimeoutMs;
        DefaultCommandParser raw = new DefaultCommandParser();
        for (String name : commandNames) {
            addCommandParser(CommandName.name(name), raw);
        }
        setRdbVisitor(new DumpRdbVisitor(this));
    }

    @Override
    public void builtInCommandParserRegister() {
        // every command is registered raw in the constructor
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
        return super.trySync(reply);
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

    /** The source answered a replication handshake step with an error. */
    static final class RefusedException extends IOException {
        RefusedException(String message) {
            super(message);
        }
    }
}
