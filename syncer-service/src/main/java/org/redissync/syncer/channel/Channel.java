package org.redissync.syncer.channel;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLHandshakeException;

import com.moilioncircle.redis.replicator.Configuration;
import com.moilioncircle.redis.replicator.event.Event;
import com.moilioncircle.redis.replicator.event.PostRdbSyncEvent;
import com.moilioncircle.redis.replicator.event.PreCommandSyncEvent;
import com.moilioncircle.redis.replicator.event.PreRdbSyncEvent;
import com.moilioncircle.redis.replicator.rdb.datatype.ExpiredType;
import com.moilioncircle.redis.replicator.rdb.dump.datatype.DumpFunction;
import com.moilioncircle.redis.replicator.rdb.dump.datatype.DumpKeyValuePair;

import org.jboss.logging.Logger;
import org.redissync.events.SyncState;
import org.redissync.events.SyncerStatusEvent.TlsFacts;
import org.redissync.syncer.channel.StreamItem.Barrier;

/**
 * One replication channel: a replica of its source (through the source's endpoint) whose stream is
 * applied to the local backend by an {@link Applier}. The state machine is described in
 * {@code CHANNELS.md} beside this class. Two threads: the reader (connects, runs PSYNC, parses) and
 * the applier; a bounded queue between them carries backpressure to the source's TCP window.
 */
final class Channel {

    private static final Logger LOG = Logger.getLogger(Channel.class);
    /** Connect, TLS handshake, AUTH, REPLCONF and PSYNC must complete within this. */
    private static final int HANDSHAKE_TIMEOUT_MS = 5000;

    /** Builds a connection's TLS settings from a spec (this cluster's syncer certificate, the source's trust). */
    interface TlsFactory {
        void configure(ChannelSpec spec, Configuration configuration) throws Exception;
    }

    /** The source's password when cert-service keeps it ({@link ChannelSpec#credentialsId()}): fetched while connecting. */
    interface Secrets {
        String password(ChannelSpec spec) throws Exception;
    }

    /** Where the channel reports: the manager publishes {@link #snapshot()}s. */
    interface Reporter {
        void changed(Channel channel);
    }

    /** A consistent view for the status event. */
    record Snapshot(ChannelSpec spec, SyncState state, long lagMs, String lastError, TlsFacts tls, long fullResyncs, long partialResyncs,
            boolean stopped, long appliedCommands, org.redissync.events.SyncerStatusEvent.StreamPosition appliedTo) {
    }

    private final TlsFactory tlsFactory;
    private final Secrets secrets;
    private final Reporter reporter;
    private final Duration retryInitial;
    private final Duration retryMax;
    private final int readTimeoutMs;
    private final BlockingQueue<StreamItem> queue;
    private final Applier applier;
    private final Thread readerThread;
    private final Thread applierThread;
    private final Object wake = new Object();

    private volatile ChannelSpec spec;
    /** The spec the live (or last) connection was built with; its generation is the one reported. */
    private volatile ChannelSpec connectedSpec;
    private volatile SyncState state = SyncState.OUT_OF_SYNC;
    private volatile String lastError;
    private volatile TlsFacts tls = TlsFacts.plaintext();
    private volatile boolean stopped;
    private volatile boolean unrecoverable;
    private volatile boolean rebuild;
    private volatile SourceReplicator current;
    /** The TCP socket under the live TLS connection (closing it ends a blocked TLS read at once). */
    private volatile java.net.Socket plainSocket;
    private volatile String applyFailure;
    /** Why the channel is held at its committed position (another channel's snapshot load into this backend), or null. */
    private volatile String pausedFor;
    /** Completed once the held channel's reader is idle and its applier has committed what it had. */
    private volatile CompletableFuture<Void> paused = CompletableFuture.completedFuture(null);
    /** Phases of the current attempt (nanoTime): start, position read, TLS context built. */
    private volatile long attemptAt;
    private volatile long positionAt;
    private volatile long tlsAt;

    Channel(ChannelSpec spec, TlsFactory tlsFactory, Reporter reporter, Duration retryInitial, Duration retryMax, Duration readTimeout,
            int batchMax, int queueSize, long skipCommitBytes, SnapshotLoads loads) {
        this(spec, tlsFactory, s -> {
            throw new IllegalStateException("no secrets to fetch the source's password from");
        }, reporter, retryInitial, retryMax, readTimeout, batchMax, queueSize, skipCommitBytes, loads);
    }

    Channel(ChannelSpec spec, TlsFactory tlsFactory, Secrets secrets, Reporter reporter, Duration retryInitial, Duration retryMax,
            Duration readTimeout, int batchMax, int queueSize, long skipCommitBytes, SnapshotLoads loads) {
        this(spec, tlsFactory, secrets, reporter, retryInitial, retryMax, readTimeout, batchMax, queueSize, skipCommitBytes, loads, false);
    }

    /** @param convergent a convergent CRDB channel: op records merged, nothing else applied ({@link Applier}) */
    Channel(ChannelSpec spec, TlsFactory tlsFactory, Secrets secrets, Reporter reporter, Duration retryInitial, Duration retryMax,
            Duration readTimeout, int batchMax, int queueSize, long skipCommitBytes, SnapshotLoads loads, boolean convergent) {
        this.secrets = secrets;
        this.spec = spec;
        this.connectedSpec = spec;
        this.tlsFactory = tlsFactory;
        this.reporter = reporter;
        this.retryInitial = retryInitial;
        this.retryMax = retryMax;
        this.readTimeoutMs = (int) readTimeout.toMillis();
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.applier = new Applier(spec.id(), spec.skipApplied(), convergent, spec.backend(), queue, batchMax, skipCommitBytes,
                this::onApplyFailed, loads);
        this.readerThread = new Thread(this::readLoop, "channel-reader " + spec.id());
        this.applierThread = new Thread(applier, "channel-applier " + spec.id());
        readerThread.setDaemon(true);
        applierThread.setDaemon(true);
    }

    String id() {
        return spec.id();
    }

    ChannelSpec spec() {
        return spec;
    }

    void start() {
        applierThread.start();
        readerThread.start();
    }

    /**
     * A new desired spec. Same connection settings: only the reported generation moves (nothing is
     * touched). Otherwise, or when the channel had stopped: rebuilt at a clean point.
     */
    void update(ChannelSpec next) {
        ChannelSpec before = spec;
        spec = next;
        if (next.sameConnection(before) && !unrecoverable) {
            synchronized (this) {
                if (next.sameConnection(connectedSpec)) {
                    connectedSpec = connectedSpec.withReported(next);
                }
            }
            reporter.changed(this);
            return;
        }
        unrecoverable = false;
        LOG.infof("channel %s: rebuild requested (generation %d)", next.id(), next.observedGeneration());
        rebuild();
    }

    /** Reconnect now with the current spec; resumes from the committed position. */
    void rebuild() {
        rebuild = true;
        closeCurrent();
        kick();
    }

    /** Retry now if waiting in backoff (e.g. the source's trust changed). */
    void kick() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /**
     * Holds the channel at a committed position until {@link #resume()}: the connection is closed, the applier commits
     * what it received, and the reader waits instead of reconnecting.
     *
     * @return completed once that is done (or the channel stopped)
     */
    CompletableFuture<Void> pause(String why) {
        CompletableFuture<Void> done;
        synchronized (wake) {
            if (pausedFor == null) {
                paused = new CompletableFuture<>();
            }
            pausedFor = why;
            done = paused;
            if (stopped) {
                done.complete(null);
            }
        }
        rebuild = true;
        closeCurrent();
        kick();
        return done;
    }

    /** Closes the connection again (a pause that has not taken hold yet: the connection raced it). */
    void nudge() {
        closeCurrent();
        kick();
    }

    /** Goes on from the position the backend holds now. */
    void resume() {
        synchronized (wake) {
            pausedFor = null;
            wake.notifyAll();
        }
    }

    void stop() {
        stopped = true;
        paused.complete(null);
        closeCurrent();
        kick();
        applier.stop();
        try {
            readerThread.join(5000);
            applierThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Snapshot snapshot() {
        Position p = applier.committed();
        String error = lastError;
        if (error == null && applier.lastApplyError() != null) {
            error = "applied with " + applier.applyErrors() + " command error(s) on the local backend, last: " + applier.lastApplyError();
        }
        return new Snapshot(connectedSpec, state, state == SyncState.OUT_OF_SYNC ? 0 : applier.lagMs(System.nanoTime()), error, tls,
                p == null ? 0 : p.fullResyncs(), p == null ? 0 : p.partialResyncs(), unrecoverable, applier.appliedCommands(),
                applier.appliedTo());
    }

    private void readLoop() {
        long backoff = retryInitial.toMillis();
        while (!stopped) {
            if (pausedFor != null) {
                holdPaused();
                backoff = retryInitial.toMillis();
                continue;
            }
            if (unrecoverable) {
                setState(SyncState.OUT_OF_SYNC, lastError, TlsFacts.plaintext());
                waitForWake(Long.MAX_VALUE);
                continue;
            }
            ChannelSpec s = spec;
            rebuild = false;
            applyFailure = null;
            String error = null;
            boolean fatal = false;
            SourceReplicator r = null;
            try {
                attemptAt = System.nanoTime();
                Position pos = barrier();
                positionAt = System.nanoTime();
                Configuration c = Configuration.defaultSetting()
                        .setRetries(1)
                        .setRetryTimeInterval(0) // the channel does its own backoff
                        .setAsyncCachedBytes(0)
                        .setConnectionTimeout(HANDSHAKE_TIMEOUT_MS)
                        .setReadTimeout(HANDSHAKE_TIMEOUT_MS)
                        .setHeartbeatPeriod(1000)
                        .setUseDefaultExceptionListener(false)
                        .setReplId(pos.replId())
                        .setReplOffset(pos.offset());
                String password = s.credentialsId() != null ? secrets.password(s) : s.password();
                if (password != null) {
                    c.setAuthUser(s.user()).setAuthPassword(password);
                }
                if (s.tls()) {
                    tlsFactory.configure(s, c);
                    c.setSslSocketFactory(new LayeredSocketCapture(c.getSslSocketFactory(), sock -> plainSocket = sock));
                }
                tlsAt = System.nanoTime();
                r = new SourceReplicator(s.sourceHost(), s.sourcePort(), c,
                        (command, replId, endOffset, received) -> queue.put(new StreamItem.Command(command, replId, endOffset, received)),
                        readTimeoutMs);
                SourceReplicator replicator = r;
                boolean[] fullSync = {false};
                r.addEventListener((rep, event) -> onEvent(replicator, s, event, fullSync));
                current = r;
                if (stopped || rebuild || pausedFor != null) {
                    continue;
                }
                r.open();
            } catch (AssertionError e) {
                // redis-replicator's signal for a refused AUTH: retrying will not help
                error = "authentication refused by the source: " + e.getMessage();
                fatal = true;
            } catch (SourceReplicator.RefusedException e) {
                error = e.getMessage();
            } catch (SSLHandshakeException e) {
                String why = rootMessage(e);
                error = "TLS handshake with " + s.source() + " failed: " + why
                        + (why.contains("peer shut down") || why.contains("Remote host terminated")
                                ? " (the source closed the connection: is TLS enabled on the source database? tls_mode replica_ssl or enabled)"
                                : "");
            } catch (Exception e) {
                error = s.source() + ": " + rootMessage(e);
            } finally {
                current = null;
                plainSocket = null;
                if (r != null) {
                    try {
                        r.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            }
            if (stopped) {
                break;
            }
            if (applyFailure != null) {
                error = applyFailure;
                fatal = unrecoverable;
            }
            if (rebuild && applyFailure == null) {
                LOG.infof("channel %s: rebuilding (%s)", s.id(), spec);
                backoff = retryInitial.toMillis();
                continue;
            }
            if (fatal) {
                unrecoverable = true;
                LOG.errorf("channel %s stopped: %s", s.id(), error);
            } else {
                LOG.warnf("channel %s: %s; retrying in %d ms", s.id(), error, backoff);
            }
            setState(SyncState.OUT_OF_SYNC, error, TlsFacts.plaintext());
            if (!fatal) {
                waitForWake(backoff);
                backoff = Math.min(backoff * 2, retryMax.toMillis());
            }
        }
        barrierQuietly();
    }

    /** Commits what was received, reports that the channel is held, and waits until it is resumed (or stopped). */
    private void holdPaused() {
        String why = pausedFor;
        try {
            barrier();
        } catch (IOException e) {
            LOG.warnf("channel %s: held without a final commit (the source resends it): %s", spec.id(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        setState(SyncState.SYNCING, "waiting: " + why, TlsFacts.plaintext());
        LOG.infof("channel %s: held at its committed position: %s", spec.id(), why);
        synchronized (wake) {
            while (pausedFor != null && !stopped) {
                // idle and committed: this also answers a pause that came again before the reader saw the resume
                paused.complete(null);
                try {
                    wake.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        LOG.infof("channel %s: resumed", spec.id());
    }

    /**
     * The connection made with {@code s} is up. A generation-only change that arrived while it was being made (the
     * connection settings and the generation come from two topics, in no fixed order) is reported at once: {@link #update}
     * moved only the spec then, as the connection of that moment was another.
     */
    private synchronized void connected(ChannelSpec s) {
        ChannelSpec now = spec;
        connectedSpec = now.sameConnection(s) && now.observedGeneration() > s.observedGeneration() ? s.withReported(now) : s;
    }

    private void onEvent(SourceReplicator r, ChannelSpec s, Event event, boolean[] fullSync) {
        try {
            long now = System.nanoTime();
            if (event instanceof DumpKeyValuePair kv) {
                long expireAt = kv.getExpiredType() == ExpiredType.MS ? kv.getExpiredValue()
                        : kv.getExpiredType() == ExpiredType.SECOND ? kv.getExpiredValue() * 1000 : 0;
                queue.put(new StreamItem.RdbKey((int) kv.getDb().getDbNumber(), kv.getKey(), kv.getValue(), expireAt, now));
            } else if (event instanceof DumpFunction f) {
                queue.put(new StreamItem.RdbFunction(f.getSerialized()));
            } else if (event instanceof PreRdbSyncEvent) {
                fullSync[0] = true;
                boolean load = !spec.sourceJoining();
                queue.put(new StreamItem.RdbBegin(load));
                connected(s);
                setState(SyncState.SYNCING, null, r.tls());
                LOG.infof("channel %s: full sync from %s (%s)%s", s.id(), s.source(), r.tls().enabled() ? r.tls().protocol() : "plaintext",
                        load ? "" : "; the source instance is joining the CRDB: its snapshot holds only what came from peers, "
                                + "which they send themselves, so it is not loaded (the stream goes on from its end)");
            } else if (event instanceof PostRdbSyncEvent) {
                queue.put(new StreamItem.RdbEnd(r.fullSyncReplId(), r.fullSyncOffset()));
            } else if (event instanceof PreCommandSyncEvent) {
                if (!fullSync[0]) {
                    queue.put(new StreamItem.Continued());
                }
                connected(s);
                setState(SyncState.IN_SYNC, null, r.tls());
                LOG.infof("channel %s: streaming from %s (%s, %s; attempt %d ms: position %d, TLS context %d, connect+TLS %d, replication handshake %d)",
                        s.id(), s.source(), fullSync[0] ? "after a full sync" : "partial resync",
                        r.tls().enabled() ? r.tls().protocol() + " " + r.tls().cipher() : "plaintext", ms(attemptAt, now), ms(attemptAt, positionAt),
                        ms(positionAt, tlsAt), ms(tlsAt, r.connectedAt()), ms(r.connectedAt(), now));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }

    /** Waits until the applier has applied everything complete and returns the committed position (read from the backend). */
    private Position barrier() throws IOException, InterruptedException {
        CompletableFuture<Position> done = new CompletableFuture<>();
        queue.put(new Barrier(done));
        try {
            Position p = done.get();
            return p;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private void barrierQuietly() {
        try {
            CompletableFuture<Position> done = new CompletableFuture<>();
            if (queue.offer(new Barrier(done), 1, TimeUnit.SECONDS)) {
                done.get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.debugf("channel %s: final barrier: %s", spec.id(), e.getMessage());
        }
    }

    private void onApplyFailed(String reason, boolean fatal) {
        applyFailure = reason;
        if (fatal) {
            unrecoverable = true;
        }
        closeCurrent();
    }

    private void closeCurrent() {
        java.net.Socket plain = plainSocket;
        if (plain != null) {
            try {
                plain.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        SourceReplicator r = current;
        if (r != null) {
            r.abort();
        }
    }

    private void waitForWake(long millis) {
        synchronized (wake) {
            if (stopped || rebuild) {
                return;
            }
            try {
                wake.wait(millis == Long.MAX_VALUE ? 0 : millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void setState(SyncState next, String error, TlsFacts facts) {
        boolean changed = next != state || !java.util.Objects.equals(error, lastError) || !facts.equals(tls);
        state = next;
        lastError = error;
        tls = facts;
        if (changed) {
            reporter.changed(this);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
