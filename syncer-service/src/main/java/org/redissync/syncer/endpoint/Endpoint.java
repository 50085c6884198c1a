package org.redissync.syncer.endpoint;

import java.net.SocketAddress;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.CertificateVerifier;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.NetSocketInternal;

import org.jboss.logging.Logger;
import org.redissync.events.RedisAddress;
import org.redissync.events.TlsMode;

/**
 * One bdb's client endpoint: accepts on the bdb's port, terminates TLS (or not, by {@code tls_mode}),
 * judges the client certificate, and pipes bytes to the backend redis-server with backpressure.
 * Redis protocol passes through untouched; only connections that are not trusted syncers are
 * scanned for replication commands when TLS is on. See {@code docs/endpoints.md}.
 */
public final class Endpoint {

    private static final Logger LOG = Logger.getLogger(Endpoint.class);
    static final List<String> REPLICATION_COMMANDS = List.of("SYNC", "PSYNC", "REPLCONF");
    static final String REFUSAL_MESSAGE = "ERR replication is accepted only over TLS from a trusted syncer certificate";
    /** Replaces a refused replication command: the backend answers with the error in order, then hangs up. */
    static final String REFUSAL_REPLY = "*3\r\n$4\r\nEVAL\r\n$" + ("return redis.error_reply('" + REFUSAL_MESSAGE + "')").length()
            + "\r\nreturn redis.error_reply('" + REFUSAL_MESSAGE + "')\r\n$1\r\n0\r\n*1\r\n$4\r\nQUIT\r\n";

    private final long uid;
    private final int port;
    private final Vertx vertx;
    private final NetClient backends;
    private final EndpointMetrics metrics;
    private final Clock clock;
    private final AtomicReference<EndpointSettings> settings = new AtomicReference<>();
    private final List<NetServer> servers = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger offLoopBackends = new AtomicInteger();
    private final Set<EventExecutor> loopsUsed = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger NEXT_LOOP = new AtomicInteger();
    private final EndpointMetrics.Bytes bytes;
    private final boolean shareBackends;
    /** Shared backend connections, one per event loop and backend address; each touched only on its loop. */
    private final Map<LaneKey, BackendLane> lanes = new ConcurrentHashMap<>();
    /** A command still arriving after this many bytes gets its client a connection of its own (bounded memory). */
    static final int MAX_PARTIAL_COMMAND = 256 * 1024;
    /** Connections being TLS-handshaken, found by their engine from the trust manager. */
    static final Map<SSLEngine, Connection> HANDSHAKING = new ConcurrentHashMap<>();

    Endpoint(long uid, int port, Vertx vertx, NetClient backends, EndpointMetrics metrics, Clock clock, boolean shareBackends) {
        this.shareBackends = shareBackends;
        this.uid = uid;
        this.port = port;
        this.vertx = vertx;
        this.backends = backends;
        this.metrics = metrics;
        this.clock = clock;
        this.bytes = metrics.bytes(uid);
    }

    /**
     * Binds the port with {@code instances} servers (at most one per event loop), each listening from an event-loop
     * context of its own on a distinct loop: Vert.x hands accepted connections to the servers in turn, and a
     * connection lives on its server's loop. (Listening from one non-Vert.x thread would put every server on that
     * thread's one sticky context: one loop for all.)
     */
    Future<Void> start(EndpointSettings initial, String host, int instances) {
        settings.set(initial);
        VertxInternal vx = (VertxInternal) vertx;
        List<EventLoop> loops = new ArrayList<>();
        vx.nettyEventLoopGroup().forEach(e -> loops.add((EventLoop) e));
        int first = NEXT_LOOP.getAndAdd(instances); // endpoints start on different loops: all of them get used
        List<Future<NetServer>> bound = new ArrayList<>();
        for (int i = 0; i < Math.min(instances, loops.size()); i++) {
            NetServer s = vertx.createNetServer(new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true)
                    .setReuseAddress(true).setTcpQuickAck(false).setAcceptBacklog(1024));
            s.connectHandler(this::accept);
            servers.add(s);
            ContextInternal loop = vx.createEventLoopContext(loops.get(Math.floorMod(first + i, loops.size())), vx.getWorkerPool(),
                    Thread.currentThread().getContextClassLoader());
            Promise<NetServer> listening = loop.promise();
            loop.runOnContext(v -> s.listen().onComplete(listening));
            bound.add(listening.future());
        }
        return Future.all(bound).mapEmpty();
    }

    /** Event loops that accepted connections so far (one per server at most). */
    int loopsUsed() {
        return loopsUsed.size();
    }

    /** New connections get {@code next}; open ones keep what they were accepted with. */
    void update(EndpointSettings next) {
        settings.set(next);
    }

    EndpointSettings settings() {
        return settings.get();
    }

    int port() {
        return port;
    }

    int openConnections() {
        return open.get();
    }

    Future<Void> stop() {
        List<Future<Void>> closed = new ArrayList<>();
        servers.forEach(s -> closed.add(s.close()));
        List.copyOf(lanes.values()).forEach(BackendLane::close);
        return Future.all(closed).mapEmpty();
    }

    private record LaneKey(EventExecutor loop, RedisAddress backend) {
    }

    /** The shared backend connection for {@code client}'s event loop: made on first use, replaced when it failed. */
    private BackendLane lane(NetSocket client, EndpointSettings st) {
        LaneKey key = new LaneKey(((NetSocketInternal) client).channelHandlerContext().executor(), st.backend());
        BackendLane lane = lanes.get(key);
        if (lane != null && lane.usable()) {
            return lane;
        }
        BackendLane[] self = new BackendLane[1];
        BackendLane fresh = new BackendLane(() -> lanes.remove(key, self[0]));
        self[0] = fresh;
        lanes.put(key, fresh);
        connectBeside(client, st).onComplete(ar -> {
            if (ar.failed()) {
                fresh.fail();
            } else {
                fresh.connected(ar.result());
            }
        });
        return fresh;
    }

    /**
     * A backend connection on {@code client}'s own event loop, so bytes pass between the two without a thread hop
     * (a wake-up of another loop per read). Vert.x connects on the caller's context; a Netty callback (the TLS
     * handshake's listener) runs without one, so the connect is made from the client's context. Fails (and closes
     * the connection) if it still landed on another loop: a lane's clients and a client's replies assume one thread.
     */
    private Future<NetSocket> connectBeside(NetSocket client, EndpointSettings st) {
        ContextInternal context = ((ConnectionBase) client).getContext();
        EventExecutor loop = ((NetSocketInternal) client).channelHandlerContext().executor();
        Promise<NetSocket> connected = context.promise();
        context.emit(null, v -> backends.connect(st.backendSocket()).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warnf("bdb %d: backend %s unreachable: %s", uid, st.backend(), ar.cause().getMessage());
                connected.fail(ar.cause());
            } else if (((NetSocketInternal) ar.result()).channelHandlerContext().executor() != loop) {
                offLoopBackends.incrementAndGet();
                LOG.errorf("bdb %d: a backend connection landed on another event loop than its client and was dropped", uid);
                ar.result().close();
                connected.fail("backend connection on another event loop");
            } else {
                connected.complete(ar.result());
            }
        }));
        return connected.future();
    }

    /** Backend connections that landed on another event loop than their client (0 unless Vert.x changes). */
    int offLoopBackends() {
        return offLoopBackends.get();
    }

    private void accept(NetSocket client) {
        loopsUsed.add(((NetSocketInternal) client).channelHandlerContext().executor());
        new Connection(client, settings.get()).begin();
    }

    /** One client connection: deciding (TLS or not, who is it) → open (piping) → closed. */
    final class Connection implements BackendLane.Client {
        private final NetSocket client;
        private final EndpointSettings st;
        private NetSocket backend;
        private boolean decided;
        private boolean gate;
        private boolean closed;
        private boolean draining;
        private final List<ByteBuf> early = new ArrayList<>();
        private final RespCommandScanner scanner = new RespCommandScanner();
        private ClientCertificatePolicy.Verdict verdict;
        /** Commands go over the shared backend connection until one needs a connection of its own. */
        private boolean shared = shareBackends;
        private int unanswered;
        private ByteBuf partial;
        /** The lane this client's commands go to, kept while usable (no lookup per read). */
        private BackendLane lane;
        private final RespRequestFramer framer = new RespRequestFramer();
        /** A flush of the client's replies is queued behind this event-loop turn. */
        private TurnFlusher clientFlusher;

        Connection(NetSocket client, EndpointSettings st) {
            this.client = client;
            this.st = st;
        }

        ClientCertificatePolicy policy() {
            return st.policy();
        }

        void recordVerdict(ClientCertificatePolicy.Verdict v) {
            this.verdict = v;
        }

        void begin() {
            open.incrementAndGet();
            metrics.connectionOpened(uid);
            // Raw Netty buffers both ways: no copy into Vert.x heap buffers, no copy back on write.
            clientInternal().messageHandler(this::fromClient);
            client.closeHandler(v -> close());
            client.exceptionHandler(e -> close());
            if (st.mode() == TlsMode.DISABLED) {
                ((NetSocketInternal) client).channelHandlerContext().pipeline().addFirst("tls-refuse", new TlsRefuser());
                decide(false);
            } else {
                ((NetSocketInternal) client).channelHandlerContext().pipeline().addFirst("tls-detect", new TlsDetector(st.ssl()));
            }
            if (!shared) {
                connectBackend();
            }
        }

        /** This client's own backend connection (from the start, or once a command needs one). */
        private void connectBackend() {
            connectBeside(client, st).onComplete(ar -> {
                if (ar.failed()) {
                    client.write(Buffer.buffer("-ERR backend unavailable\r\n")).onComplete(x -> close());
                    return;
                }
                backend = ar.result();
                if (closed) {
                    backend.close();
                    return;
                }
                ((NetSocketInternal) backend).messageHandler(msg -> {
                    if (!(msg instanceof ByteBuf buf)) {
                        ReferenceCountUtil.release(msg);
                        return;
                    }
                    if (closed) {
                        buf.release();
                        return;
                    }
                    bytes.out().increment(buf.readableBytes());
                    // Every read of the backend in this turn (a replication stream arrives in many small ones)
                    // goes out as one TLS write; both connections are on this loop (connectBeside).
                    if (clientFlusher == null) {
                        clientFlusher = new TurnFlusher(clientInternal().channelHandlerContext(), () -> !closed);
                    }
                    clientFlusher.write(buf);
                    if (client.writeQueueFull()) {
                        reading(backend, false);
                        client.drainHandler(d -> reading(backend, true));
                    }
                });
                backend.closeHandler(v -> close());
                backend.exceptionHandler(e -> close());
                flushIfOpen();
            });
        }

        /** The connection's kind is known: TLS (and who) or plaintext. */
        void decide(boolean replicationGate) {
            this.gate = replicationGate;
            this.decided = true;
            flushIfOpen();
        }

        private void flushIfOpen() {
            if (!decided || closed || (!shared && (backend == null || unanswered > 0))) {
                return;
            }
            List<ByteBuf> pending = new ArrayList<>(early);
            early.clear();
            for (ByteBuf b : pending) {
                forward(b);
            }
            reading(client, true);
        }

        private void fromClient(Object msg) {
            if (!(msg instanceof ByteBuf buf)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (closed) {
                buf.release();
                return;
            }
            if (!decided || (!shared && (backend == null || unanswered > 0))) {
                early.add(buf);
                reading(client, false);
                return;
            }
            forward(buf);
        }

        /**
         * Backpressure at the channel: with raw message handlers Vert.x's pause() no longer holds reads back,
         * so stop (and restart) reading from the socket itself.
         */
        private void reading(NetSocket s, boolean on) {
            ((NetSocketInternal) s).channelHandlerContext().channel().config().setAutoRead(on);
        }

        private NetSocketInternal clientInternal() {
            return (NetSocketInternal) client;
        }

        private void forward(ByteBuf buf) {
            if (closed || draining) {
                buf.release();
                return;
            }
            if (shared) {
                toSharedBackend(buf);
                return;
            }
            if (gate) {
                int refusedAt = scanner.scan(buf, cmd -> !isReplication(cmd));
                if (refusedAt >= 0) {
                    // Commands before the refused one still get their answers, in order: the refused
                    // command is replaced by one whose reply is the error, then the backend hangs up.
                    Buffer out = Buffer.buffer(buf.slice(buf.readerIndex(), refusedAt).copy());
                    buf.release();
                    out.appendString(REFUSAL_REPLY);
                    backend.write(out);
                    draining = true;
                    metrics.refused(uid, Refusal.REPLICATION_REFUSED);
                    LOG.infof("bdb %d: refused %s from %s%s", uid, Refusal.REPLICATION_REFUSED.label(), peer(),
                            verdict == null || verdict.subject() == null ? "" : " (subject " + verdict.subject() + ")");
                    return;
                }
            }
            bytes.in().increment(buf.readableBytes());
            ((NetSocketInternal) backend).writeMessage(buf);
            if (backend.writeQueueFull()) {
                reading(client, false);
                backend.drainHandler(v -> reading(client, true));
            }
        }

        /**
         * Whole shareable commands go to the shared connection; an incomplete one waits for its rest;
         * from the first command that needs a connection of its own, this client gets one.
         */
        private void toSharedBackend(ByteBuf buf) {
            ByteBuf work = buf;
            if (partial != null) {
                partial.writeBytes(buf);
                buf.release();
                work = partial;
                partial = null;
            }
            RespRequestFramer f = framer.scan(work);
            if (f.commands() > 0) {
                int n = f.complete();
                bytes.in().increment(n);
                unanswered += f.commands();
                if (lane == null || !lane.usable()) {
                    lane = lane(client, st);
                }
                lane.send(this, work.retainedSlice(work.readerIndex(), n), f.commands());
                work.skipBytes(n);
                if (closed) {
                    work.release();
                    return;
                }
            }
            switch (f.stop()) {
                case END -> work.release();
                case PARTIAL -> {
                    if (work.readableBytes() > MAX_PARTIAL_COMMAND) {
                        ownConnection(work);
                    } else {
                        partial = clientInternal().channelHandlerContext().alloc().buffer(Math.max(256, work.readableBytes() * 2));
                        partial.writeBytes(work);
                        work.release();
                    }
                }
                case DEDICATED -> ownConnection(work);
                default -> throw new IllegalStateException();
            }
        }

        /**
         * From here on this client has its own backend connection, connected now and used once its
         * shared commands are answered (their replies first, in order).
         */
        private void ownConnection(ByteBuf rest) {
            shared = false;
            early.add(rest);
            reading(client, false);
            connectBackend();
        }

        @Override
        public void deliver(ByteBuf replies) {
            if (closed) {
                replies.release();
                return;
            }
            bytes.out().increment(replies.readableBytes());
            ChannelHandlerContext ctx = clientInternal().channelHandlerContext();
            ctx.write(replies, ctx.voidPromise());
        }

        @Override
        public void answered(int n) {
            unanswered -= n;
            if (unanswered == 0 && !shared) {
                flushIfOpen();
            }
        }

        @Override
        public void flush() {
            if (closed) {
                return;
            }
            clientInternal().channelHandlerContext().flush();
            if (client.writeQueueFull()) {
                reading(client, false);
                client.drainHandler(d -> reading(client, true));
            }
        }

        @Override
        public void pause() {
            reading(client, false);
        }

        @Override
        public void resume() {
            if (!closed) {
                reading(client, true);
            }
        }

        @Override
        public void laneLost() {
            close();
        }

        @Override
        public boolean closed() {
            return closed;
        }

        void refuse(Refusal reason, String subject, String redisError) {
            metrics.refused(uid, reason);
            LOG.infof("bdb %d: refused %s from %s%s", uid, reason.label(), peer(), subject == null ? "" : " (subject " + subject + ")");
            if (redisError != null) {
                client.write(Buffer.buffer(redisError)).onComplete(x -> close());
            } else {
                close();
            }
        }

        private SocketAddress peer() {
            return ((NetSocketInternal) client).channelHandlerContext().channel().remoteAddress();
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            early.forEach(ReferenceCountUtil::release);
            early.clear();
            if (partial != null) {
                partial.release();
                partial = null;
            }
            open.decrementAndGet();
            metrics.connectionClosed(uid);
            ChannelHandlerContext ctx = clientInternal().channelHandlerContext();
            if (ctx.executor().inEventLoop()) {
                ctx.flush(); // the backend's last words (e.g. an error before it hung up), written but not yet flushed
            }
            client.close();
            if (backend != null) {
                backend.close();
            }
        }

        /**
         * With TLS disabled, a TLS ClientHello (first byte 0x16, never valid RESP) is closed at once:
         * passed on, Redis would wait for a line end and the client for a ServerHello, both forever.
         */
        private final class TlsRefuser extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ctx.pipeline().remove(this);
                if (msg instanceof ByteBuf buf && buf.isReadable() && buf.getByte(buf.readerIndex()) == 0x16) {
                    ReferenceCountUtil.release(msg);
                    refuse(Refusal.TLS_NOT_ENABLED, null, null);
                    return;
                }
                ctx.fireChannelRead(msg);
            }
        }

        /** Tells TLS from plaintext by the first byte, and installs the TLS handler for TLS. */
        private final class TlsDetector extends OptionalSslHandler {
            TlsDetector(SslContext ssl) {
                super(ssl);
            }

            @Override
            protected SslHandler newSslHandler(ChannelHandlerContext ctx, SslContext ssl) {
                SslHandler h = ssl.newHandler(ctx.alloc());
                SSLEngine engine = h.engine();
                HANDSHAKING.put(engine, Connection.this);
                h.handshakeFuture().addListener(f -> {
                    HANDSHAKING.remove(engine);
                    if (!f.isSuccess()) {
                        Refusal r = verdict != null && verdict.refusal() != null ? verdict.refusal()
                                : String.valueOf(f.cause()).toLowerCase().contains("protocol") ? Refusal.PROTOCOL_VERSION : Refusal.UNTRUSTED;
                        refuse(r, verdict == null ? null : verdict.subject(), null);
                        return;
                    }
                    metrics.handshake(uid);
                    X509Certificate[] peer = peerChain(engine.getSession());
                    ClientCertificatePolicy.Verdict v = verdict != null ? verdict : st.policy().judge(peer, clock.instant());
                    verdict = v;
                    if (!v.accepted()) {
                        refuse(v.refusal(), v.subject(), null);
                        return;
                    }
                    if (v.syncer() && shared) {
                        shared = false; // a peer's channel: replication from its first command, its own connection at once
                        connectBackend();
                    }
                    decide(!v.syncer());
                });
                return h;
            }

            @Override
            protected io.netty.channel.ChannelHandler newNonSslHandler(ChannelHandlerContext ctx) {
                return new ChannelInboundHandlerAdapter() {
                    @Override
                    public void handlerAdded(ChannelHandlerContext c) {
                        c.pipeline().remove(this);
                        if (st.mode() == TlsMode.ENABLED) {
                            refuse(Refusal.PLAINTEXT_REFUSED, null, "-ERR this endpoint accepts TLS connections only\r\n");
                        } else {
                            decide(true);
                        }
                    }
                };
            }
        }
    }

    /** Whether a command name (any case) is one of the replication commands; allocation-free. */
    static boolean isReplication(CharSequence name) {
        for (String r : REPLICATION_COMMANDS) {
            if (r.length() == name.length()) {
                int i = 0;
                while (i < r.length() && Character.toUpperCase(name.charAt(i)) == r.charAt(i)) {
                    i++;
                }
                if (i == r.length()) {
                    return true;
                }
            }
        }
        return false;
    }

    static X509Certificate[] peerChain(SSLSession session) {
        try {
            var certs = session.getPeerCertificates();
            X509Certificate[] out = new X509Certificate[certs.length];
            for (int i = 0; i < certs.length; i++) {
                out[i] = (X509Certificate) certs[i];
            }
            return out;
        } catch (SSLPeerUnverifiedException none) {
            return new X509Certificate[0];
        }
    }

    /**
     * What the trust manager raises so the handshake fails with a TLS alert that says why (the reason itself is
     * on the connection): with OpenSSL, {@code unknown_ca} for an untrusted certificate, {@code certificate_expired}
     * for an outdated one, {@code bad_certificate} for the rest. (A plain {@link CertificateException} reached the
     * client as {@code internal_error}, which reads like a server fault.) The JDK provider picks its own alert.
     */
    static CertificateException refusedCertificate(Refusal r) {
        String message = "client certificate refused: " + r.label();
        if (!OpenSsl.isAvailable()) {
            return new CertificateException(message);
        }
        int code = switch (r) {
            case UNTRUSTED -> CertificateVerifier.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
            case EXPIRED -> CertificateVerifier.X509_V_ERR_CERT_HAS_EXPIRED;
            default -> CertificateVerifier.X509_V_ERR_CERT_REJECTED;
        };
        return new OpenSslCertificateException(message, code);
    }
}
