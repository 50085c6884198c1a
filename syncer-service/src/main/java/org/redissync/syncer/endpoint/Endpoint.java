package org.redissync.syncer.endpoint;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
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

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCertificateException;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.CertificateVerifier;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import org.jboss.logging.Logger;
import org.redissync.syncer.resp.ReplyScanner;
import org.redissync.events.RedisAddress;
import org.redissync.events.TlsMode;
import org.redissync.syncer.config.SyncerConfig;
import org.redissync.syncer.resp.RequestParser;
import org.redissync.syncer.shard.Backend;

/**
 * One bdb's client endpoint: accepts on the bdb's port, terminates TLS (or not, by {@code tls_mode}),
 * judges the client certificate, and pipes bytes to the backend redis-server with backpressure.
 * Redis protocol passes through untouched; only connections that are not trusted syncers are
 * scanned for replication commands when TLS is on. See {@code docs/endpoints.md}.
 */
public final class Endpoint {

    private static final Logger LOG = Logger.getLogger(Endpoint.class);

    /** An answer of the endpoint's own to one request, and (on an own connection) the number of the command standing in for it. */
    private static final class LocalReply {
        /** Null: no answer; the reply after the stand-in's (a re-login's {@code +OK}) is dropped. */
        final byte[] bytes;
        final boolean close;
        long seq;

        LocalReply(byte[] bytes, boolean close) {
            this.bytes = bytes;
            this.close = close;
        }
    }

    private final long uid;
    private final int port;
    private final Vertx vertx;
    private final EndpointMetrics metrics;
    private final Clock clock;
    private final AtomicReference<EndpointSettings> settings = new AtomicReference<>();
    private volatile Channel server;
    /** Every connection it accepted and has open: closed with the endpoint (a deleted bdb keeps no client). */
    private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger open = new AtomicInteger();
    /** Client connections (not trusted syncers') open now: what max_connections limits. */
    private final AtomicInteger clients = new AtomicInteger();
    private final Set<EventExecutor> loopsUsed = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger NEXT_LOOP = new AtomicInteger();
    private final EndpointMetrics.Bytes bytes;
    private final boolean shareBackends;
    /** Shared backend connections, one per event loop and backend address; each touched only on its loop. */
    private final Map<LaneKey, BackendLane> lanes = new ConcurrentHashMap<>();
    /**
     * Per event loop and backend, one logged-in backend connection kept ready for the next client that needs a connection
     * of its own (a blocking command, MULTI, a deep pipeline): it starts at once instead of after a connect and an AUTH.
     * Two clients that block one after the other then block in Redis in that order, as they would on Redis itself (each
     * waiting for a fresh connection, they could swap: Redis's "BRPOPLPUSH with multiple blocked clients" hung). Made on
     * the first such need of a loop, so an endpoint whose clients never need one holds none.
     */
    private final Map<LaneKey, Future<Wire>> spares = new ConcurrentHashMap<>();
    private volatile boolean stopped;
    /** A command still arriving after this many bytes gets its client a connection of its own (bounded memory). */
    static final int MAX_PARTIAL_COMMAND = 256 * 1024;
    /**
     * Commands a client may have unanswered on a shared backend connection; its next one gets it a connection of its own.
     * Every other client of the lane waits behind them (a pipeline of 2000 GETs of a 1 MB value held a lane for seconds):
     * deep pipelines are better off alone. redis-benchmark's {@code -P 16} stays shared (16 in flight at most).
     */
    static final int SHARED_IN_FLIGHT = 16;
    /**
     * Commands passed on to a client's own connection and not answered yet, at most (while replies can be counted): a
     * client that pipelines thousands of GETs of a large value and reads nothing would otherwise have Redis copy all
     * their replies into its memory, busy for everyone meanwhile.
     */
    static final int OWN_IN_FLIGHT = 16;
    /** On a connection of its own, a request still arriving after this many bytes is passed on as it arrives. */
    static final int STREAM_AT = 64 * 1024;
    /** How long a backend connection may take to connect. */
    static final int CONNECT_TIMEOUT_MS = 5000;
    private final SyncerConfig.OutputBufferLimit limits;
    /**
     * The name of the commands an own connection's backend is sent in place of a refused one: random per endpoint, so
     * no client can name it, and unknown to Redis, whose "unknown command" error answers it in order.
     */
    private final String standInName = "redissync-refused-" + Long.toHexString(new java.security.SecureRandom().nextLong() | Long.MIN_VALUE);
    /** The start of the error line that answers a stand-in command; its number follows. */
    private final byte[] standInError = ("-ERR unknown command '" + standInName + "-").getBytes(StandardCharsets.US_ASCII);
    /** Connections being TLS-handshaken, found by their engine from the trust manager. */
    static final Map<SSLEngine, Connection> HANDSHAKING = new ConcurrentHashMap<>();

    Endpoint(long uid, int port, Vertx vertx, EndpointMetrics metrics, Clock clock, boolean shareBackends,
            SyncerConfig.OutputBufferLimit limits) {
        this.shareBackends = shareBackends;
        this.limits = limits;
        this.uid = uid;
        this.port = port;
        this.vertx = vertx;
        this.metrics = metrics;
        this.clock = clock;
        this.bytes = metrics.bytes(uid);
    }

    /**
     * Binds the port on the application's event loops (plain Netty: one server channel), its accepted connections
     * registered on {@code acceptors} of them in turn; a connection lives on its loop, and so do its backend
     * connections. Endpoints start on different loops, so all of them get used.
     */
    Future<Void> start(EndpointSettings initial, String host, int acceptors) {
        settings.set(initial);
        EventLoopGroup group = vertx.nettyEventLoopGroup();
        List<EventLoop> all = new ArrayList<>();
        group.forEach(e -> all.add((EventLoop) e));
        int first = NEXT_LOOP.getAndAdd(acceptors);
        List<EventLoop> mine = new ArrayList<>();
        for (int i = 0; i < Math.max(1, Math.min(acceptors, all.size())); i++) {
            mine.add(all.get(Math.floorMod(first + i, all.size())));
        }
        Promise<Void> bound = Promise.promise();
        new ServerBootstrap()
                .group(mine.get(0), new LoopSubset(mine))
                .channel(Transport.of(group).serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Wire wire = new Wire();
                        ch.pipeline().addLast("wire", wire);
                        accepted.add(ch);
                        accept(wire);
                    }
                })
                .bind(host, port)
                .addListener((ChannelFuture f) -> {
                    if (f.isSuccess()) {
                        server = f.channel();
                        bound.complete();
                    } else {
                        bound.fail(f.cause());
                    }
                });
        return bound.future();
    }

    /** Event loops that accepted connections so far (at most {@code acceptors}). */
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
        stopped = true;
        Promise<Void> closed = Promise.promise();
        Channel s = server;
        if (s == null) {
            closed.complete();
        } else {
            s.close().addListener(f -> accepted.close().addListener(g -> closed.complete()));
        }
        List.copyOf(lanes.values()).forEach(BackendLane::close);
        for (LaneKey k : List.copyOf(spares.keySet())) {
            Future<Wire> f = spares.remove(k);
            if (f != null) {
                f.onSuccess(Wire::close);
            }
        }
        return closed.future();
    }

    private record LaneKey(EventExecutor loop, Backend backend) {
    }

    /** The shared backend connection for {@code client}'s event loop: made on first use, replaced when it failed. */
    private BackendLane lane(Wire client, EndpointSettings st) {
        LaneKey key = new LaneKey(client.loop(), st.backend());
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
     * A logged-in backend connection of {@code client}'s own for it: the loop's spare when there is one (a replacement is
     * started at once), else a new one.
     */
    private Future<Wire> ownBackend(Wire client, EndpointSettings st) {
        LaneKey key = new LaneKey(client.loop(), st.backend());
        Future<Wire> spare = spares.remove(key);
        Future<Wire> next = connectBeside(client, st);
        spares.put(key, next);
        next.onComplete(ar -> {
            if (ar.failed()) {
                spares.remove(key, next);
            } else {
                Wire s = ar.result();
                // while spare: Redis says nothing unasked; a close (a restarted shard, a stopped endpoint) forgets it
                s.onMessage(null);
                s.onClose(() -> spares.remove(key, next));
                if (stopped) {
                    s.close(); // the endpoint stopped while it connected
                }
            }
        });
        if (spare != null && !spare.failed()) {
            return spare;
        }
        return connectBeside(client, st);
    }

    /**
     * A backend connection on {@code client}'s own event loop, so bytes pass between the two without a thread hop (a
     * wake-up of another loop per read), and a lane's clients and a client's replies are all on one thread.
     */
    private Future<Wire> connectBeside(Wire client, EndpointSettings st) {
        return connectBeside(client, st, false);
    }

    /** As {@link #connectBeside(Wire, EndpointSettings)}; {@code replica}: logged in as the replication-only user. */
    private Future<Wire> connectBeside(Wire client, EndpointSettings st, boolean replica) {
        Promise<Wire> connected = Promise.promise();
        Wire wire = new Wire();
        Transport transport = Transport.of(client.loop().parent());
        SocketAddress to = st.backendSocket();
        Bootstrap bootstrap = new Bootstrap()
                .group(client.loop())
                .channel(transport.clientChannel(to))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .resolver(NoopAddressResolverGroup.INSTANCE) // resolved with the settings: no lookup on an event loop
                .handler(wire);
        if (!(to instanceof io.netty.channel.unix.DomainSocketAddress)) {
            // a Unix socket has no such option: Netty warns at every connection it is set on, even to false
            bootstrap.option(ChannelOption.TCP_NODELAY, true);
        }
        bootstrap.connect(to)
                .addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        LOG.warnf("bdb %d: backend %s unreachable: %s", uid, st.backend(), f.cause().getMessage());
                        connected.fail(f.cause());
                    } else {
                        logIn(wire, st.backend(), replica ? st.backend().replicaAuth() : st.backend().clientAuth(), connected);
                    }
                });
        return connected.future();
    }

    /**
     * A shard of the syncer-service's own lets nobody in without its password: the new connection logs in as the shard's
     * client user, or for a trusted syncer's pipe its replication-only user ({@code AUTH}), and is handed over once
     * Redis said {@code +OK}. An external backend is used as it is.
     */
    private void logIn(Wire socket, Backend backend, byte[] auth, Promise<Wire> connected) {
        if (auth == null) {
            connected.complete(socket);
            return;
        }
        ByteBuf reply = Unpooled.buffer(64);
        socket.onMessage(msg -> {
            if (!(msg instanceof ByteBuf buf)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            reply.writeBytes(buf);
            buf.release();
            int lf = reply.indexOf(reply.readerIndex(), reply.writerIndex(), (byte) '\n');
            if (lf < 0 && reply.readableBytes() < 512) {
                return;
            }
            String line = reply.toString(StandardCharsets.ISO_8859_1).trim();
            socket.onMessage(null);
            socket.onClose(null);
            if (line.equals("+OK") && lf == reply.writerIndex() - 1) {
                connected.complete(socket);
            } else {
                LOG.errorf("bdb %d: backend %s refused the endpoint's login: %s", uid, backend, line.length() > 200 ? line.substring(0, 200) : line);
                socket.close();
                connected.fail("backend login refused");
            }
        });
        socket.onClose(() -> connected.tryFail("backend closed the connection at login"));
        socket.write(Unpooled.wrappedBuffer(auth));
    }

    /** The command standing in for answer {@code seq} on an own connection (then {@code QUIT} when the answer closes it). */
    private byte[] stand(long seq, boolean quit) {
        String name = standInName + "-" + seq;
        String cmd = "*1\r\n$" + name.length() + "\r\n" + name + "\r\n" + (quit ? "*1\r\n$4\r\nQUIT\r\n" : "");
        return cmd.getBytes(StandardCharsets.US_ASCII);
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private void accept(Wire client) {
        loopsUsed.add(client.loop());
        new Connection(client, settings.get()).begin();
    }

    /** A connection's life: docs/endpoints.md, "Connection state machine". */
    enum State {
        /** Accepted; TLS or not, and who it is, not known yet. Its bytes wait. */
        DECIDING,
        /** Its requests are passed on ({@link Route}). */
        OPEN,
        /** Answered "then closed": nothing more is read or passed on; closes once the answer is written. */
        ENDING,
        CLOSED
    }

    /** Where an open connection's requests go. */
    enum Route {
        /** Parsed and judged, over the event loop's shared backend connection. */
        SHARED,
        /** Parsed and judged, over a backend connection of its own (a command needed one, or sharing is off). */
        OWN,
        /** Passed on untouched: a trusted syncer's channel, or a replication stream once it started. */
        PIPED
    }

    /**
     * One client connection: deciding (TLS or not, who is it) → open → closed. A trusted syncer's bytes are piped as
     * they are; every other client's requests are parsed as redis-server parses them ({@link RequestParser}) and judged
     * ({@link CommandPolicy}) before Redis sees them. Design note: {@code docs/endpoints.md}.
     */
    final class Connection implements BackendLane.Client {
        private final Wire client;
        private final EndpointSettings st;
        private Wire backend;
        /** Where the connection is in its life (docs/endpoints.md, "Connection state machine"). */
        private State state = State.DECIDING;
        /** Where its requests go (a client's: parsed, then shared or own; a trusted syncer's: piped). */
        private Route route = shareBackends ? Route.SHARED : Route.OWN;
        /** Counted in {@link Endpoint#clients} (a client, not a trusted syncer). */
        private boolean countedClient;
        private final List<ByteBuf> early = new ArrayList<>();
        private ClientCertificatePolicy.Verdict verdict;
        /** The highest TLS version its ClientHello offered ({@link TlsHello}). */
        private int offeredTls = TlsHello.UNKNOWN;
        /** Commands sent on the shared connection and not answered yet. */
        private int unanswered;
        /** Client bytes not passed on yet, from the start of the request being parsed (relative offsets: the parser's). */
        private ByteBuf in;
        /** Slices of {@link #in} are on their way somewhere: its bytes must not be written over. */
        private boolean inSliced;
        private final RequestParser parser = new RequestParser();
        /** Whole shareable commands at the start of {@link #in} not sent yet: sent to the lane as one slice. */
        private int batchStart;
        private int batchCommands;
        /** The lane this client's commands go to, kept while usable (no lookup per read). */
        private BackendLane lane;
        /** A flush of the client's replies is queued behind this event-loop turn. */
        private TurnFlusher clientFlusher;
        /** The same for its requests to its own backend connection. */
        private TurnFlusher backendFlusher;
        /** Shared: an answer of the endpoint's own, waiting for the lane to answer the commands before it. */
        private LocalReply waiting;
        /** Own connection: answers of the endpoint's own, each an error the backend gives to a command only we can name. */
        private final ArrayDeque<LocalReply> injected = new ArrayDeque<>();
        private long nextSeq;
        private final ReplyScanner replies = new ReplyScanner();
        /** Replies of the endpoint's own commands (a login after RESET) still to drop from the reply stream. */
        private int dropReplies;
        /** An error reply whose line has not fully arrived (it may be one of ours). */
        private ByteBuf replyCarry;
        /** Own connection: commands passed on and replies seen, while replies can be counted (no pub/sub, MONITOR, CLIENT REPLY...). */
        private long ownSent;
        private long ownAnswered;
        private boolean counting = true;
        /** A replication command was seen where replication is open: the connection becomes a pipe (see startReplication). */
        private boolean replicating;
        /** The reply to the replication-only login, while it has not all arrived (see startReplication). */
        private ByteBuf replicaLogin;
        /** Own connection: a large request judged by its head, passed on as it arrives. */
        private boolean streaming;
        /** A large request refused by its head: its bytes are dropped as they arrive, then this is the answer. */
        private LocalReply swallowing;
        /** The timer that disconnects a client still over the soft output limit when it fires (-1: none). */
        private ScheduledFuture<?> softTimer;
        private boolean loggedRefusal;

        Connection(Wire client, EndpointSettings st) {
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
            // Raw pooled Netty buffers both ways: no copy in, no copy back on write.
            client.onMessage(this::fromClient);
            client.onClose(this::close);
            if (st.mode() == TlsMode.DISABLED) {
                client.ctx().pipeline().addFirst("tls-refuse", new TlsRefuser());
                decide(false);
            } else {
                client.ctx().pipeline().addFirst("tls-detect", new TlsDetector(st.ssl()));
            }
            if (!shared()) {
                connectBackend();
            }
        }

        /** The connection's kind is known: a trusted syncer (piped as is) or a client (parsed and judged). */
        void decide(boolean syncer) {
            if (closed()) {
                return;
            }
            if (!syncer) {
                countedClient = true;
                if (clients.incrementAndGet() > st.maxConnections() && st.maxConnections() > 0) {
                    refuse(Refusal.MAX_CONNECTIONS, verdict == null ? null : verdict.subject(), "-ERR max number of clients reached\r\n");
                    return;
                }
            }
            if (syncer) {
                route = Route.PIPED;
            }
            state = State.OPEN;
            if (!parsed()) {
                pipeEarly();
                return;
            }
            List<ByteBuf> pending = new ArrayList<>(early);
            early.clear();
            pending.forEach(this::ingest);
            drain();
        }

        // ------------------------------------------------------------------------------------ client → Redis

        private void fromClient(Object msg) {
            if (!(msg instanceof ByteBuf buf)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (closed() || ending()) {
                buf.release();
                return;
            }
            if (!decided() || (!parsed() && backend == null)) {
                early.add(buf);
                reading(client, false);
                readingNow = false;
                return;
            }
            if (!parsed()) {
                pipe(buf);
                return;
            }
            ingest(buf);
            drain();
        }

        /** Appends client bytes to {@link #in}: in place while nothing refers to its bytes, else into a new buffer. */
        private void ingest(ByteBuf buf) {
            bytes.in().increment(buf.readableBytes());
            if (in == null || !in.isReadable() && !parser.midRequest()) {
                if (in != null) {
                    in.release();
                }
                in = buf;
                inSliced = false;
                batchCommands = 0;
            } else if (!inSliced && batchCommands == 0 && in.writableBytes() >= buf.readableBytes()) {
                in.writeBytes(buf);
                buf.release();
            } else {
                sendBatch();
                ByteBuf merged = client.ctx().alloc()
                        .buffer(Math.max(256, 2 * (in.readableBytes() + buf.readableBytes())));
                merged.writeBytes(in);
                merged.writeBytes(buf);
                in.release();
                buf.release();
                in = merged;
                inSliced = false;
            }
        }

        /** Whether requests can be passed on now. */
        private boolean ready() {
            return decided() && parsed() && !closed() && !ending() && waiting == null && !replicating
                    && (shared() || (backend != null && unanswered == 0 && (!counting || ownSent - ownAnswered < OWN_IN_FLIGHT)));
        }

        /** Parses, judges and passes on every whole request in {@link #in}, as far as the connection is ready. */
        private void drain() {
            while (ready() && in != null && in.isReadable()) {
                RequestParser.Status s = parser.parse(in);
                if (s == RequestParser.Status.NEED_MORE) {
                    partial();
                    break;
                }
                switch (s) {
                    case EMPTY -> {
                        sendBatch();
                        in.skipBytes(parser.length()); // no command, no reply (as Redis)
                    }
                    case ERROR -> {
                        sendBatch();
                        metrics.refused(uid, Refusal.PROTOCOL_ERROR);
                        LOG.infof("bdb %d: %s from %s; closing it as Redis does", uid, parser.error(), peer());
                        answer(new LocalReply(("-ERR " + parser.error() + "\r\n").getBytes(StandardCharsets.ISO_8859_1), true));
                    }
                    case COMMAND -> command();
                    default -> throw new IllegalStateException();
                }
            }
            sendBatch();
            if (in != null && !in.isReadable() && !parser.midRequest()) {
                in.release();
                in = null;
            }
            updateReading();
        }

        /** Why the client's bytes are not read now, besides not being {@link #ready()}: bits of HOLD_*. */
        private int holds;
        private static final int HOLD_BACKEND = 1;
        private static final int HOLD_LANE = 2;
        private static final int HOLD_OUTPUT = 4;

        private void hold(int bit) {
            holds |= bit;
            updateReading();
        }

        private void release(int bit) {
            holds &= ~bit;
            updateReading();
        }

        /** Reads the client's socket exactly while its requests can be passed on and nothing holds it back. */
        private void updateReading() {
            if (decided() && parsed()) {
                boolean on = !closed() && ready() && holds == 0;
                if (on != readingNow) { // a change only: setAutoRead is an atomic swap and more, per read otherwise
                    readingNow = on;
                    reading(client, on);
                }
            }
        }

        /** What {@link #updateReading} last set (the socket reads from the start). */
        private boolean readingNow = true;

        private void command() {
            RequestParser.Args a = parser.args();
            int len = parser.length();
            if (swallowing != null) {
                in.skipBytes(len);
                LocalReply r = swallowing;
                swallowing = null;
                answer(r);
                return;
            }
            CommandPolicy.Verdict v = CommandPolicy.judge(a, true, st.mode() == TlsMode.DISABLED || verdict != null && verdict.replicator());
            if (st.crdtOrigin() != null && !v.refused() && v.action() != CommandPolicy.Action.REPLICATE) {
                CommandPolicy.Verdict c = CrdtCommands.judge(a);
                if (c != null) {
                    v = c;
                }
            }
            if (v.action() == CommandPolicy.Action.CONVERGE && len > CrdtCommands.MAX_WRITE) {
                v = CrdtCommands.TOO_LARGE; // it arrived whole in the last read: refused all the same
            }
            if (v.action() == CommandPolicy.Action.CONVERGE) {
                converge(a, len);
                return;
            }
            if (v.action() == CommandPolicy.Action.REPLICATE && !streaming) {
                sendBatch();
                replicating = true; // not consumed: this command and all after it pass as they are
                if (shared()) {
                    ownConnection();
                } else {
                    startReplication();
                }
                return;
            }
            if (streaming) {
                streaming = false;
                if (v.refused()) {
                    abortStreaming(v);
                    return;
                }
                sentOwn(a);
                toBackend(in.readRetainedSlice(len));
                inSliced = true;
                return;
            }
            if (v.refused()) {
                sendBatch();
                in.skipBytes(len);
                refused(v);
                return;
            }
            if (shared()) {
                if (v.action() == CommandPolicy.Action.OWN) {
                    sendBatch();
                    ownConnection(); // not consumed: parsed again once its own connection is there
                    return;
                }
                if (a.isInline()) {
                    sendBatch();
                    in.skipBytes(len);
                    toLane(Unpooled.wrappedBuffer(a.toMultibulk()), 1);
                    return;
                }
                if (unanswered + batchCommands >= SHARED_IN_FLIGHT) {
                    sendBatch();
                    ownConnection(); // a deep pipeline would hold up the lane's other clients: it gets a connection of its own
                    return;
                }
                if (batchCommands == 0) {
                    batchStart = in.readerIndex();
                }
                in.skipBytes(len);
                batchCommands++;
                return;
            }
            sentOwn(a);
            if (a.isInline()) {
                in.skipBytes(len);
                toBackend(Unpooled.wrappedBuffer(a.toMultibulk()));
            } else {
                toBackend(in.readRetainedSlice(len));
                inSliced = true;
            }
            if (a.is(0, "RESET")) {
                logInAgain();
            }
        }

        /**
         * A write on a convergent CRDB instance: sent as the library's call, stamped with this endpoint's clock (where
         * the write enters the suite: crdt/CRDT.md), alone (its bytes are not the client's).
         */
        private void converge(RequestParser.Args a, int len) {
            ByteBuf request = a.isInline() ? Unpooled.wrappedBuffer(a.toMultibulk()) : in.retainedSlice(in.readerIndex(), len);
            ByteBuf call;
            try {
                call = CrdtCommands.rewrite(client.ctx().alloc(), request, a.total(), st.crdtOrigin(), clock.millis());
            } finally {
                request.release();
            }
            sendBatch();
            in.skipBytes(len);
            if (shared()) {
                toLane(call, 1);
            } else {
                sentOwn(a);
                toBackend(call);
            }
        }

        /**
         * {@code RESET} logs a connection out (back to the {@code default} user, unauthenticated when it has a password):
         * the endpoint logs in again right after it, behind a stand-in command whose error tells where the login's
         * {@code +OK} is in the reply stream, so it is dropped there. Nothing comes between the three replies: after
         * RESET the connection is out of pub/sub, MONITOR, tracking and MULTI, and replies again.
         */
        private void logInAgain() {
            byte[] auth = st.backend().clientAuth();
            if (auth == null) {
                return;
            }
            LocalReply r = new LocalReply(null, false);
            r.seq = nextSeq++;
            injected.add(r);
            ownSent += 2;
            byte[] stand = stand(r.seq, false);
            toBackend(Unpooled.wrappedBuffer(stand, auth));
        }

        /** The bytes end inside a request. */
        private void partial() {
            if (swallowing != null) {
                drop(parser.forwardable(in));
                return;
            }
            if (shared()) {
                if (in.readableBytes() > MAX_PARTIAL_COMMAND) {
                    sendBatch();
                    ownConnection(); // a large request is streamed on a connection of its own
                }
                return;
            }
            if (!streaming) {
                // held past STREAM_AT with whole arguments (or an argument's judged start) to pass on: judged by its head,
                // then streamed. (Streaming only inside an argument's bytes let a request of many small arguments, sent
                // in writes that end on argument boundaries, grow without bound.)
                if (in.readableBytes() <= STREAM_AT || parser.forwardable(in) == 0) {
                    return;
                }
                CommandPolicy.Verdict v = CommandPolicy.judge(parser.args(), false);
                if (st.crdtOrigin() != null && !v.refused()) {
                    CommandPolicy.Verdict c = CrdtCommands.judge(parser.args());
                    if (c == CrdtCommands.CONVERGE && in.readableBytes() <= CrdtCommands.MAX_WRITE) {
                        return; // a convergent write is rewritten whole: it is not streamed, it waits for all its bytes
                    }
                    if (c == CrdtCommands.CONVERGE) {
                        c = CrdtCommands.TOO_LARGE; // refused, its remaining bytes swallowed as they arrive
                    }
                    if (c != null) {
                        v = c;
                    }
                }
                if (v.refused()) {
                    if (v.action() == CommandPolicy.Action.REFUSE_AND_CLOSE) {
                        refused(v);
                        return;
                    }
                    countRefusal(v);
                    swallowing = new LocalReply(v.reply().getBytes(StandardCharsets.ISO_8859_1), false);
                    drop(parser.forwardable(in));
                    return;
                }
                streaming = true;
            }
            int n = parser.forwardable(in);
            if (parser.args().reserved()) {
                abortStreaming(CommandPolicy.judge(parser.args(), false));
                return;
            }
            if (n > 0) {
                toBackend(in.readRetainedSlice(n));
                inSliced = true;
                parser.consumed(n);
            }
        }

        /** A whole command goes to the client's own connection: counted, unless it makes replies uncountable from now on. */
        private void sentOwn(RequestParser.Args a) {
            ownSent++;
            if (counting && CommandPolicy.unevenReplies(a)) {
                counting = false;
            }
        }

        private void drop(int n) {
            in.skipBytes(n);
            parser.consumed(n);
        }

        /**
         * A streamed request turned out to name reserved state after part of it was passed on: Redis must never run
         * it, so the backend connection is closed under it (and with it the client, told why).
         */
        private void abortStreaming(CommandPolicy.Verdict v) {
            countRefusal(v);
            LOG.infof("bdb %d: a streamed request from %s named reserved state; closing it", uid, peer());
            if (backend != null) {
                backend.close();
            }
            end();
            ChannelHandlerContext ctx = client.ctx();
            ctx.writeAndFlush(Unpooled.wrappedBuffer(v.reply().getBytes(StandardCharsets.ISO_8859_1))).addListener(f -> close());
        }

        private void refused(CommandPolicy.Verdict v) {
            countRefusal(v);
            answer(new LocalReply(v.reply().getBytes(StandardCharsets.ISO_8859_1), v.action() == CommandPolicy.Action.REFUSE_AND_CLOSE));
        }

        private void countRefusal(CommandPolicy.Verdict v) {
            metrics.refused(uid, v.reason());
            if (!loggedRefusal || v.action() == CommandPolicy.Action.REFUSE_AND_CLOSE) {
                loggedRefusal = true; // once per connection: a client repeating a refused command does not flood the log
                LOG.infof("bdb %d: refused %s from %s%s: %s", uid, v.reason().label(), peer(),
                        verdict == null || verdict.subject() == null ? "" : " (subject " + verdict.subject() + ")", v.reply().trim());
            }
        }

        /**
         * An answer of the endpoint's own, in order after the replies to the commands before it. Shared: once the lane
         * answered them. Own connection: the backend is sent a command only this endpoint can name, whose "unknown
         * command" error comes back in order (in MULTI, in pub/sub, after a blocked command) and is replaced with the
         * answer; one to close is followed by QUIT, so the backend hangs up even when CLIENT REPLY OFF swallowed it.
         */
        private void answer(LocalReply r) {
            if (r.close) {
                end();
                updateReading();
            }
            if (shared()) {
                sendBatch();
                if (unanswered == 0) {
                    writeLocal(r);
                } else {
                    waiting = r;
                    updateReading();
                }
                return;
            }
            r.seq = nextSeq++;
            injected.add(r);
            ownSent += r.close ? 2 : 1;
            toBackend(Unpooled.wrappedBuffer(stand(r.seq, r.close)));
        }

        private void writeLocal(LocalReply r) {
            bytes.out().increment(r.bytes.length);
            ChannelHandlerContext ctx = client.ctx();
            if (r.close) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(r.bytes)).addListener(f -> close());
            } else {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(r.bytes), ctx.voidPromise());
                checkOutput();
            }
        }

        private void sendBatch() {
            if (batchCommands == 0) {
                return;
            }
            int n = batchCommands;
            batchCommands = 0;
            ByteBuf slice = in.retainedSlice(batchStart, in.readerIndex() - batchStart);
            inSliced = true;
            toLane(slice, n);
        }

        private void toLane(ByteBuf commands, int n) {
            unanswered += n;
            if (lane == null || !lane.usable()) {
                lane = lane(client, st);
            }
            lane.send(this, commands, n);
        }

        /**
         * To the client's own backend connection, flushed once per event-loop turn: what a client sent in one write
         * reaches Redis in one write. (Written one by one, {@code QUIT} and a command after it arrived in two reads: Redis
         * closed with the second unread, the kernel reset the connection, and the {@code +OK} was lost.)
         */
        private void toBackend(ByteBuf buf) {
            if (backendFlusher == null) {
                backendFlusher = new TurnFlusher(backend.ctx(), () -> !closed());
            }
            backendFlusher.write(buf);
            if (backend.writeQueueFull()) {
                hold(HOLD_BACKEND);
                backend.onDrain(() -> release(HOLD_BACKEND));
            }
        }

        /** A trusted syncer's bytes, as they are. */
        private void pipe(ByteBuf buf) {
            bytes.in().increment(buf.readableBytes());
            backend.write(buf);
            if (backend.writeQueueFull()) {
                reading(client, false);
                backend.onDrain(() -> reading(client, true));
            }
        }

        private void pipeEarly() {
            if (backend == null || closed()) {
                return;
            }
            List<ByteBuf> pending = new ArrayList<>(early);
            early.clear();
            pending.forEach(this::pipe);
            reading(client, true);
        }

        /**
         * From here on this client has its own backend connection, connected now and used once its shared commands are
         * answered (their replies first, in order).
         */
        private void ownConnection() {
            route = Route.OWN;
            updateReading();
            connectBackend();
        }

        /** This client's own backend connection (from the start, or once a command needs one). */
        private void connectBackend() {
            // a trusted syncer's pipe needs no spare: nothing orders it against other connections
            (parsed() ? ownBackend(client, st) : connectBeside(client, st, true)).onComplete(ar -> {
                if (ar.failed()) {
                    client.writeAndFlush(ascii("-ERR backend unavailable\r\n")).addListener(x -> close());
                    return;
                }
                backend = ar.result();
                if (closed()) {
                    backend.close();
                    return;
                }
                backend.onMessage(msg -> {
                    if (!(msg instanceof ByteBuf buf)) {
                        ReferenceCountUtil.release(msg);
                        return;
                    }
                    if (closed()) {
                        buf.release();
                        return;
                    }
                    if (parsed()) {
                        fromOwnBackend(buf);
                    } else if (replicaLogin != null) {
                        replicaLoggedIn(buf);
                    } else {
                        toClient(buf);
                    }
                });
                backend.onClose(this::close);
                if (!parsed()) {
                    pipeEarly();
                } else {
                    ownReady();
                }
            });
        }

        private void ownReady() {
            if (closed() || backend == null || unanswered > 0 || !decided()) {
                return;
            }
            if (replicating) {
                startReplication();
                return;
            }
            drain();
        }

        /**
         * {@code tls_mode: disabled}: a client that replicates (a peer's plaintext channel) becomes a pipe from its first
         * replication command on, as a trusted syncer's connection is: the stream that comes back is no request/reply.
         */
        private void startReplication() {
            if (closed() || backend == null || unanswered > 0 || !parsed()) {
                return;
            }
            byte[] auth = st.backend().replicaAuth();
            if (auth != null && !counting) {
                // pub/sub, MONITOR, CLIENT REPLY: where the replies before the login's would end is not known
                answer(new LocalReply(("-ERR replication cannot start on a connection in this state\r\n").getBytes(StandardCharsets.ISO_8859_1), true));
                return;
            }
            if (auth != null && ownSent > ownAnswered) {
                return; // again once the replies to what it sent before are in (fromOwnBackend)
            }
            route = Route.PIPED;
            ByteBuf rest = in;
            in = null;
            if (auth != null) {
                // From here its bytes pass unparsed: the connection logs in again as the replication-only user first, so
                // Redis refuses whatever else it sends (a SELECT of the reserved database, a write). The reply is dropped.
                replicaLogin = client.ctx().alloc().buffer(64);
                backend.write(Unpooled.wrappedBuffer(auth));
            }
            if (rest != null && rest.isReadable()) {
                backend.write(rest);
            } else if (rest != null) {
                rest.release();
            }
            readingNow = true;
            reading(client, true);
        }

        /** The replication-only login's reply ({@link #startReplication}): dropped when {@code +OK}, else the connection closes. */
        private void replicaLoggedIn(ByteBuf buf) {
            replicaLogin.writeBytes(buf);
            buf.release();
            int lf = replicaLogin.indexOf(replicaLogin.readerIndex(), replicaLogin.writerIndex(), (byte) '\n');
            if (lf < 0 && replicaLogin.readableBytes() < 512) {
                return;
            }
            ByteBuf reply = replicaLogin;
            replicaLogin = null;
            String line = lf < 0 ? "" : reply.toString(reply.readerIndex(), lf - reply.readerIndex(), StandardCharsets.ISO_8859_1).trim();
            if (!line.equals("+OK")) {
                reply.release();
                LOG.errorf("bdb %d: backend %s refused the replication login: %s", uid, st.backend(), line.length() > 200 ? line.substring(0, 200) : line);
                close();
                return;
            }
            reply.readerIndex(lf + 1);
            if (reply.isReadable()) {
                toClient(reply);
            } else {
                reply.release();
            }
        }

        // ------------------------------------------------------------------------------------ Redis → client

        /** Backend bytes to the client: every read of this turn goes out in one TLS write (both on this loop). */
        private void toClient(ByteBuf buf) {
            bytes.out().increment(buf.readableBytes());
            if (clientFlusher == null) {
                clientFlusher = new TurnFlusher(client.ctx(), () -> !closed());
            }
            clientFlusher.write(buf);
            if (client.writeQueueFull() && backend != null) {
                Wire b = backend;
                reading(b, false); // paused: the client reads its replies, or is disconnected after the soft limit's time
                if (parsed()) {
                    overSoft();
                }
                client.onDrain(() -> {
                    underSoft();
                    reading(b, true);
                });
            }
        }

        /**
         * Replies on a client's own connection: passed on as they come, except the errors answering the commands the
         * endpoint stood in for a refused one, which become the endpoint's answers (reply boundaries are followed with
         * {@link ReplyScanner}; an error line is held until it is whole).
         */
        private void fromOwnBackend(ByteBuf buf) {
            ByteBuf work = buf;
            if (replyCarry != null) {
                work = replyCarry.writeBytes(buf);
                buf.release();
                replyCarry = null;
            }
            int pos = work.readerIndex();
            int end = work.writerIndex();
            int from = pos;
            try {
                while (pos < end) {
                    if (dropReplies > 0) { // the endpoint's own login after RESET: its reply is not the client's
                        emit(work, from, pos);
                        int r = replies.next(work, pos, end);
                        if (r < 0) {
                            pos = end;
                        } else {
                            pos = r;
                            dropReplies--;
                            ownAnswered++;
                        }
                        from = pos;
                        continue;
                    }
                    if (!injected.isEmpty() && replies.atBoundary() && work.getByte(pos) == '-') {
                        int lf = work.indexOf(pos, end, (byte) '\n');
                        if (lf < 0) {
                            emit(work, from, pos);
                            replyCarry = client.ctx().alloc().buffer(Math.max(256, (end - pos) * 2));
                            replyCarry.writeBytes(work, pos, end - pos);
                            return;
                        }
                        LocalReply mine = standIn(work, pos, lf);
                        ownAnswered++;
                        if (mine != null) {
                            emit(work, from, pos);
                            pos = lf + 1;
                            from = pos;
                            if (mine.bytes == null) {
                                dropReplies++;
                                continue;
                            }
                            if (mine.close) {
                                injected.clear();
                                writeLocal(mine);
                                return;
                            }
                            toClient(Unpooled.wrappedBuffer(mine.bytes));
                            continue;
                        }
                        pos = lf + 1;
                        continue;
                    }
                    int r = replies.next(work, pos, end);
                    if (r < 0) {
                        pos = end;
                    } else {
                        pos = r;
                        ownAnswered++;
                    }
                }
                emit(work, from, end);
                if (replicating && ownSent == ownAnswered) {
                    startReplication(); // it waited for the replies to what the client sent before
                    return;
                }
                if (counting && ownSent - ownAnswered < OWN_IN_FLIGHT && !ending()) {
                    if (in != null && in.isReadable()) {
                        drain(); // requests held back while OWN_IN_FLIGHT were unanswered
                    } else {
                        updateReading(); // none held back: the client's next ones are read again (it may wait for this reply to send them)
                    }
                }
            } catch (ReplyScanner.ProtocolException e) {
                LOG.warnf("bdb %d: a reply the endpoint cannot follow (%s); closing the connection", uid, e.getMessage());
                close();
            } finally {
                work.release();
            }
        }

        private void emit(ByteBuf work, int from, int to) {
            if (to > from && !closed()) {
                toClient(work.retainedSlice(from, to - from));
            }
        }

        /** The endpoint's answer this error line stands for, if it is one of ours (older ones were swallowed: dropped). */
        private LocalReply standIn(ByteBuf work, int from, int lf) {
            byte[] head = standInError;
            if (lf - from < head.length) {
                return null;
            }
            for (int i = 0; i < head.length; i++) {
                if (work.getByte(from + i) != head[i]) {
                    return null;
                }
            }
            long seq = 0;
            int i = from + head.length;
            for (byte b; i < lf && (b = work.getByte(i)) >= '0' && b <= '9'; i++) {
                seq = seq * 10 + (b - '0');
            }
            while (!injected.isEmpty() && injected.peek().seq < seq) {
                injected.poll(); // answered while CLIENT REPLY was OFF/SKIP: Redis would not have sent it either
            }
            return !injected.isEmpty() && injected.peek().seq == seq ? injected.poll() : null;
        }

        // ------------------------------------------------------------------------------------ the lane's client

        @Override
        public void deliver(ByteBuf replies) {
            if (closed()) {
                replies.release();
                return;
            }
            bytes.out().increment(replies.readableBytes());
            ChannelHandlerContext ctx = client.ctx();
            ctx.write(replies, ctx.voidPromise());
        }

        @Override
        public void answered(int n) {
            unanswered -= n;
            if (unanswered > 0) {
                return;
            }
            if (waiting != null) {
                LocalReply r = waiting;
                waiting = null;
                writeLocal(r);
                if (!r.close) {
                    resumeSoon();
                }
            } else if (!shared()) {
                ownReady();
            }
        }

        /** Goes on with the requests held back, after the lane's read in progress (which must not see new sends mid-way). */
        private void resumeSoon() {
            client.ctx().executor().execute(() -> {
                if (ready()) {
                    drain();
                }
            });
        }

        @Override
        public void flush() {
            if (closed()) {
                return;
            }
            client.ctx().flush();
            checkOutput();
        }

        /**
         * Redis's client-output-buffer-limit for replies from the shared connection (which cannot wait for one client):
         * past the hard limit the client is disconnected at once; past the soft one it is paused (no more of its commands
         * are read) and disconnected if it is still over when the soft limit's time is up.
         */
        private void checkOutput() {
            long pending = pendingOut();
            if (pending > limits.hard()) {
                outputLimit(pending);
                return;
            }
            if (pending > limits.soft()) {
                overSoft();
            } else {
                underSoft();
            }
            if (client.writeQueueFull()) {
                hold(HOLD_OUTPUT); // its commands wait until it reads its replies
                client.onDrain(() -> release(HOLD_OUTPUT));
            }
        }

        private long pendingOut() {
            ChannelOutboundBuffer ob = client.ctx().channel().unsafe().outboundBuffer();
            return ob == null ? 0 : ob.totalPendingWriteBytes();
        }

        /** Over the soft limit (shared: unread replies; own connection: the backend paused for an unread client): a timer starts. */
        private void overSoft() {
            if (softTimer != null || closed()) {
                return;
            }
            softTimer = client.loop().schedule(() -> {
                softTimer = null;
                if (!closed() && (shared() ? pendingOut() > limits.soft() : client.writeQueueFull())) {
                    outputLimit(pendingOut());
                }
            }, Math.max(1, limits.softTime().toMillis()), TimeUnit.MILLISECONDS);
        }

        private void underSoft() {
            if (softTimer != null) {
                softTimer.cancel(false);
                softTimer = null;
            }
        }

        private void outputLimit(long pending) {
            metrics.refused(uid, Refusal.OUTPUT_LIMIT);
            LOG.warnf("bdb %d: client %s left its replies unread (%d bytes pending here; limits: hard %d, soft %d for %s); disconnected",
                    uid, peer(), pending, limits.hard(), limits.soft(), limits.softTime());
            end();
            close();
        }

        @Override
        public void pause() {
            hold(HOLD_LANE);
        }

        @Override
        public void resume() {
            release(HOLD_LANE);
        }

        @Override
        public void laneLost() {
            close();
        }

        @Override
        public boolean closed() {
            return state == State.CLOSED;
        }

        private boolean decided() {
            return state == State.OPEN || state == State.ENDING;
        }

        private boolean ending() {
            return state == State.ENDING;
        }

        /** False for a trusted syncer and a replication stream: bytes piped untouched both ways. */
        private boolean parsed() {
            return route != Route.PIPED;
        }

        /** Commands go over the shared backend connection until one needs a connection of its own. */
        private boolean shared() {
            return route == Route.SHARED;
        }

        /** A request was answered "then closed" (a protocol error, a refusal that closes, the output limit). */
        private void end() {
            if (state != State.CLOSED) {
                state = State.ENDING;
            }
        }

        // ------------------------------------------------------------------------------------ the rest

        /** Backpressure at the channel: stop (and restart) reading from the socket itself. */
        private void reading(Wire w, boolean on) {
            w.reading(on);
        }

        void refuse(Refusal reason, String subject, String redisError) {
            metrics.refused(uid, reason);
            LOG.infof("bdb %d: refused %s from %s%s", uid, reason.label(), peer(), subject == null ? "" : " (subject " + subject + ")");
            if (redisError != null) {
                client.writeAndFlush(ascii(redisError)).addListener(x -> close());
            } else {
                close();
            }
        }

        private SocketAddress peer() {
            return client.ctx().channel().remoteAddress();
        }

        void close() {
            if (closed()) {
                return;
            }
            state = State.CLOSED;
            underSoft();
            early.forEach(ReferenceCountUtil::release);
            early.clear();
            if (in != null) {
                in.release();
                in = null;
            }
            if (replicaLogin != null) {
                replicaLogin.release();
                replicaLogin = null;
            }
            if (replyCarry != null) {
                replyCarry.release();
                replyCarry = null;
            }
            open.decrementAndGet();
            if (countedClient) {
                clients.decrementAndGet();
            }
            metrics.connectionClosed(uid);
            ChannelHandlerContext ctx = client.ctx();
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

        /**
         * Tells TLS from plaintext by the first byte, and installs the TLS handler for TLS. Notes the highest version
         * the ClientHello offers: a failed handshake of a client older than the endpoint's minimum is {@code
         * protocol_version}, by what it sent.
         */
        private final class TlsDetector extends OptionalSslHandler {
            TlsDetector(SslContext ssl) {
                super(ssl);
            }

            @Override
            protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
                offeredTls = TlsHello.highestOffered(in);
                super.decode(ctx, in, out);
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
                                : offeredTls != TlsHello.UNKNOWN && offeredTls < st.lowestTls() ? Refusal.PROTOCOL_VERSION
                                : Refusal.UNTRUSTED;
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
                    if (v.syncer() && shared()) {
                        route = Route.OWN; // a peer's channel: replication from its first command, its own connection at once
                        connectBackend();
                    }
                    decide(v.syncer());
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
                            decide(false);
                        }
                    }
                };
            }
        }
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
