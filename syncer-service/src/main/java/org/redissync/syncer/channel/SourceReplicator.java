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

    TlsFacts tls() {
        return tls;
    }

    @Override
    protected void establishConnection() throws IOException {
        super.establishConnection();
        if (socket instanceof SSLSocket ssl) {
            SSLSession s = ssl.getSession();
            X509Certificate peer = (X509Certificate) s.getPeerCertificates()[0];
            tls = new TlsFacts(true, s.getProtocol(), s.getCipherSuite(), peer.getSubjectX500Principal().getName(),
                    peer.getNotAfter().toInstant());
        } else {
            tls = TlsFacts.plaintext();
        }
    }

    /** The first REPLCONF is where a source endpoint refuses a replica; its reply becomes the channel's last_error. */
    @Override
    protected void sendSlavePort() throws IOException {
        send("REPLCONF".getBytes(), "listening-port".getBytes(), String.valueOf(socket.getLocalPort()).getBytes());
        String reply = Strings.toString(reply());
        if (!Objects.equals(reply, "OK")) {
            throw new RefusedException("the source refused replication: " + reply);
        }
    }

    /** The source answered a replication handshake step with an error. */
    static final class RefusedException extends IOException {
        RefusedException(String message) {
            super(message);
        }
    }
}
