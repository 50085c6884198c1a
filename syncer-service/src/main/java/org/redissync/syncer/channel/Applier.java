package org.redissync.syncer.channel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;
import org.redissync.syncer.shard.Backend;
import org.redissync.syncer.channel.StreamItem.Barrier;
import org.redissync.syncer.channel.StreamItem.Command;
import org.redissync.syncer.channel.StreamItem.Continued;
import org.redissync.syncer.channel.StreamItem.RdbBegin;
import org.redissync.syncer.channel.StreamItem.RdbEnd;
import org.redissync.syncer.channel.StreamItem.RdbFunction;
import org.redissync.syncer.channel.StreamItem.RdbKey;
import org.redissync.syncer.resp.RespCommand;

/**
 * Applies a channel's stream to the local backend, exactly once. See {@code CHANNELS.md} beside
 * this class for the whole design; in short:
 * <ul>
 * <li>Source transactions are kept whole; batches are cut only between them. A batch is one local
 * {@code MULTI … EXEC} that also carries {@code PUBLISH __redissync:applied <channel>} (the loop
 * marker other channels see in this backend's stream) and {@code SET __redissync:pos:<channel>}
 * (the stream position the batch reaches): data and position commit together or not at all.</li>
 * <li>With {@code skipApplied} (CRDB), a source transaction carrying the marker was applied there
 * by a channel: it is skipped, only its bytes are counted. The marker and position keys themselves
 * are never applied anywhere.</li>
 * <li>A backend failure discards the uncommitted batch and asks the channel to reconnect: the
 * source then resends from the committed position.</li>
 * <li>A full sync into a CRDB instance stops the other channels into it first ({@link SnapshotLoads}) and commits, with
 * its own position, theirs as the snapshot's source had them.</li>
 * </ul>
 * One thread per channel runs {@link #run()}; the channel's reader feeds the queue.
 */
final class Applier implements Runnable {

    private static final Logger LOG = Logger.getLogger(Applier.class);
    static final String MARKER_CHANNEL = "__redissync:applied";
    private static final byte[] OP_CHANNEL = org.redissync.syncer.crdt.CrdtLibrary.OP_CHANNEL.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FCALL = "FCALL".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MERGE = org.redissync.syncer.crdt.CrdtLibrary.MERGE.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NO_KEYS = "0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MARKER = MARKER_CHANNEL.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESERVED_PREFIX = "__redissync:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESTORE = bytes("RESTORE");
    private static final byte[] REPLACE = bytes("REPLACE");
    private static final byte[] ABSTTL = bytes("ABSTTL");
    private static final byte[] SCRATCH = bytes("__redissync:snapshot-position");

    /** What the applier tells its channel: the backend failed or refused a batch; reconnect the source (and stop, when unrecoverable). */
    @FunctionalInterface
    interface Listener {
        void applyFailed(String reason, boolean unrecoverable);
    }

    private final String channelId;
    private final boolean skipApplied;
    private final boolean convergent;
    private final byte[] stagePrefix;
    private final byte[] stagedState;
    private final byte[] stagedValues;
    private static final String STATE_PREFIX = "__redissync:m:";
    private final Backend backendAddress;
    private final BlockingQueue<StreamItem> queue;
    private final int batchMax;
    private final long skipCommitBytes;
    private final Listener listener;
    private final SnapshotLoads loads;

    private BackendConnection backend;
    private volatile Position committed;
    /** The backend's run_id (it changes when the backend restarts), and the one {@link #committed} was read or written in. */
    private String backendRunId;
    private String committedRunId;
    /** The position was read from database 0 (before the reserved database): the next commit deletes it there. */
    private boolean legacyKey;
    private volatile boolean stopped;
    private volatile boolean rdbLoading;
    /** The snapshot being received is not applied ({@link RdbBegin#load()}). */
    private boolean skippingRdb;
    /** Where everything of the source's stream is applied or skipped ({@link #appliedTo()}). */
    private volatile org.redissync.events.SyncerStatusEvent.StreamPosition appliedTo;
    private volatile long oldestPendingNanos;
    private volatile String lastApplyError;
    private final AtomicLong appliedCommands = new AtomicLong();
    private final AtomicLong applyErrors = new AtomicLong();

    // stream state (applier thread only)
    private int streamDb;
    private String posReplId;
    private long posOffset = -1;
    private int posDb;
    private boolean inTxn;
    private final List<RespCommand> txn = new ArrayList<>();
    private boolean forceCommit;
    private boolean broken;
    private int fullDelta;
    private int partialDelta;
    /** The snapshot's own channel positions ({@code __redissync:pos:*} in its reserved database), by channel id: DUMP payloads. */
    private final java.util.Map<String, byte[]> snapshotPositions = new java.util.LinkedHashMap<>();
    /** Positions of sibling channels the next commit sets (key, encoded position). */
    private final java.util.Map<String, String> siblingPositions = new java.util.LinkedHashMap<>();

    // the batch being built
    private final List<RespCommand> pending = new ArrayList<>();
    private int pendingDb;
    private int pendingData;

    Applier(String channelId, boolean skipApplied, Backend backendAddress, BlockingQueue<StreamItem> queue, int batchMax,
            long skipCommitBytes, Listener listener, SnapshotLoads loads) {
        this(channelId, skipApplied, false, backendAddress, queue, batchMax, skipCommitBytes, listener, loads);
    }

    /**
     * @param convergent a convergent CRDB channel (crdt/CRDT.md): the source's op records ({@code SPUBLISH
     *                   __redissync:op <record>}) are merged ({@code FCALL redissync_merge 0 <record>}); every other
     *                   command of its stream (its own expiries' {@code DEL}s) is skipped
     */
    Applier(String channelId, boolean skipApplied, boolean convergent, Backend backendAddress, BlockingQueue<StreamItem> queue,
            int batchMax, long skipCommitBytes, Listener listener, SnapshotLoads loads) {
        this.convergent = convergent;
        this.stagePrefix = bytes("__redissync:stage:" + channelId + ":");
        this.stagedState = concat(stagePrefix, bytes("state"));
        this.stagedValues = concat(stagePrefix, bytes("value:"));
        this.channelId = channelId;
        this.skipApplied = skipApplied;
        this.backendAddress = backendAddress;
        this.queue = queue;
        this.batchMax = batchMax;
        this.skipCommitBytes = skipCommitBytes;
        this.listener = listener;
        this.loads = loads;
    }

    /**
     * The committed position, read from the backend's reserved database (connecting when needed). A position still in
     * database 0 (where sessions before the reserved database kept it) is taken and moved with the next commit. A
     * position that is gone while the backend did not restart (same {@code run_id}: a client's {@code FLUSHALL}) is the
     * one this applier committed last: the channel goes on from there and writes it back, instead of a full resync. A
     * backend that restarted without it lost the data too: nothing is committed, and the channel syncs in full.
     */
    Position readPosition() throws IOException {
        ensureBackend();
        String key = Position.key(channelId);
        Object v = inReservedDb("GET", key);
        Position p;
        if (v != null) {
            p = decode(v);
        } else if ((v = checked(backend.call("GET", key))) != null) {
            p = decode(v);
            legacyKey = true;
        } else if (committed != null && !committed.isNone() && backendRunId != null && backendRunId.equals(committedRunId)) {
            p = committed;
            LOG.warnf("channel %s: its position was gone from the backend (a client's FLUSHALL?) while the backend ran on; "
                    + "going on from the one committed last and writing it back", channelId);
            inReservedDb("SET", key, p.encode());
        } else {
            p = Position.none();
        }
        committed = p;
        committedRunId = backendRunId;
        return p;
    }

    private static Position decode(Object v) {
        return Position.decode(new String((byte[]) v, StandardCharsets.UTF_8));
    }

    private static Object checked(Object v) throws IOException {
        if (v instanceof BackendConnection.Error e) {
            throw new IOException("backend: " + e.message());
        }
        return v;
    }

    /** One command in {@link Position#RESERVED_DB}, the connection back on database 0 after it. */
    private Object inReservedDb(String... argv) throws IOException {
        Object selected = backend.call("SELECT", Integer.toString(Position.RESERVED_DB));
        if (selected instanceof BackendConnection.Error e) {
            throw new IOException("backend: SELECT " + Position.RESERVED_DB + " (the suite's reserved database; the backend needs "
                    + "'databases' above it): " + e.message());
        }
        try {
            return checked(backend.call(argv));
        } finally {
            checked(backend.call("SELECT", "0"));
        }
    }

    /** One command in {@link Position#RESERVED_DB}, its reply as it is (an error too). */
    private Object inReservedDb(byte[]... argv) throws IOException {
        checked(backend.call("SELECT", Integer.toString(Position.RESERVED_DB)));
        try {
            return backend.call(argv);
        } finally {
            checked(backend.call("SELECT", "0"));
        }
    }

    Position committed() {
        return committed;
    }

    boolean rdbLoading() {
        return rdbLoading;
    }

    /** How long the oldest received but not yet applied command has waited; 0 when caught up. */
    long lagMs(long nowNanos) {
        long oldest = oldestPendingNanos;
        return oldest == 0 ? 0 : Math.max(0, TimeUnit.NANOSECONDS.toMillis(nowNanos - oldest));
    }

    long appliedCommands() {
        return appliedCommands.get();
    }

    long applyErrors() {
        return applyErrors.get();
    }

    String lastApplyError() {
        return lastApplyError;
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        List<StreamItem> items = new ArrayList<>(batchMax);
        try {
            while (!stopped) {
                StreamItem first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                items.add(first);
                queue.drainTo(items, batchMax - 1);
                for (StreamItem item : items) {
                    handle(item);
                }
                items.clear();
                if (!inTxn && !broken) {
                    flushIfDue(true);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeBackend();
        }
    }

    private void handle(StreamItem item) throws InterruptedException {
        if (item instanceof Barrier b) {
            barrier(b);
            return;
        }
        if (broken) {
            return; // discarding until the channel's barrier
        }
        try {
            if (item instanceof Command c) {
                command(c);
            } else if (item instanceof RdbBegin b) {
                skippingRdb = !b.load();
                if (!skippingRdb) {
                    String refused = loads.begin();
                    if (refused != null) {
                        fail(refused, false);
                        return;
                    }
                }
                rdbLoading = true;
                inTxn = false;
                txn.clear();
                snapshotPositions.clear();
            } else if (skippingRdb && (item instanceof RdbKey || item instanceof RdbFunction)) {
                return; // a joining instance's snapshot: nothing of it is applied
            } else if (item instanceof RdbKey k && convergent) {
                noteWaiting(k.receivedNanos());
                snapshotKey(k);
                if (pendingData >= batchMax) {
                    flush(false);
                }
            } else if (item instanceof RdbFunction && convergent) {
                return; // the destination has the convergence library of its own syncer-service
            } else if (item instanceof RdbKey k) {
                noteWaiting(k.receivedNanos());
                if (reserved(k.key())) {
                    String key = new String(k.key(), StandardCharsets.UTF_8);
                    if (k.db() == Position.RESERVED_DB && key.startsWith(Position.KEY_PREFIX)) {
                        snapshotPositions.put(key.substring(Position.KEY_PREFIX.length()), k.dump());
                    }
                } else {
                    byte[] ttl = Long.toString(Math.max(0, k.expireAtMs())).getBytes(StandardCharsets.US_ASCII);
                    append(k.expireAtMs() > 0
                            ? RespCommand.of(RESTORE, k.key(), ttl, k.dump(), REPLACE, ABSTTL)
                            : RespCommand.of(RESTORE, k.key(), ttl, k.dump(), REPLACE), k.db());
                }
                if (pendingData >= batchMax) {
                    flush(false);
                }
            } else if (item instanceof RdbFunction f) {
                append(RespCommand.of(bytes("FUNCTION"), RESTORE, f.dump(), REPLACE), 0);
            } else if (item instanceof RdbEnd e) {
                posReplId = e.replId();
                posOffset = e.offset();
                streamDb = 0;
                posDb = 0;
                fullDelta++;
                forceCommit = true;
                if (skippingRdb) {
                    snapshotPositions.clear();
                    siblingPositions.clear();
                    flush(true);
                    rdbLoading = false;
                    skippingRdb = false;
                    settled();
                } else {
                    takeSiblingPositions();
                    if (convergent) {
                        append(RespCommand.of(FCALL, bytes(org.redissync.syncer.crdt.CrdtLibrary.UNSTAGE), NO_KEYS, stagePrefix), 0);
                    }
                    flush(true);
                    rdbLoading = false;
                    settled();
                    loads.end();
                }
            } else if (item instanceof Continued) {
                partialDelta++;
                forceCommit = true;
            }
        } catch (IOException e) {
            fail("backend " + backendAddress + ": " + e.getMessage(), false);
        } catch (Unrecoverable e) {
            fail(e.getMessage(), true);
        }
    }

    private void command(Command item) throws IOException {
        noteWaiting(item.receivedNanos());
        RespCommand c = item.command();
        if (inTxn) {
            if (c.argIs(0, "EXEC")) {
                inTxn = false;
                boolean marked = false;
                for (RespCommand a : txn) {
                    marked |= isMarker(a);
                }
                for (RespCommand a : txn) {
                    if (a.argIs(0, "SELECT")) {
                        streamDb = a.argInt(1);
                    } else if (!(marked && skipApplied)) {
                        take(a);
                    }
                }
                txn.clear();
                advance(item);
            } else if (!c.argIs(0, "MULTI")) {
                txn.add(c);
            }
            return;
        }
        if (c.argIs(0, "MULTI")) {
            inTxn = true;
            txn.clear();
            return;
        }
        if (c.argIs(0, "SELECT")) {
            streamDb = c.argInt(1);
        } else {
            take(c);
        }
        advance(item);
        if (pendingData >= batchMax) {
            flush(true);
        }
    }

    /** A command of the source's stream to apply: as it is, as a merge (convergent), or not at all. */
    private void take(RespCommand c) {
        if (convergent) {
            if (isOpRecord(c)) {
                append(RespCommand.of(FCALL, MERGE, NO_KEYS, c.arg(2)), streamDb);
            } else if (!dropped(c) && !c.argIs(0, "DEL") && !c.argIs(0, "UNLINK") && !c.argIs(0, "FUNCTION")) {
                // a convergent source writes only op records (and its own expiries, evictions and library loads)
                throw new Unrecoverable("the source's stream carries a plain " + printable(c) + " write: its syncer-service "
                        + "does not run convergent Active-Active (redissync.crdt.convergent must be the same on every "
                        + "syncer-service); nothing of it is applied");
            }
        } else if (isOpRecord(c)) {
            throw new Unrecoverable("the source's stream carries convergent op records: its syncer-service runs convergent "
                    + "Active-Active and this one does not (redissync.crdt.convergent must be the same on every syncer-service)");
        } else if (!dropped(c)) {
            append(c, streamDb);
        }
    }

    private static String printable(RespCommand c) {
        String name = new String(c.arg(0), StandardCharsets.ISO_8859_1).replaceAll("[^\\x21-\\x7e]", "?");
        return name.length() > 32 ? name.substring(0, 32) : name;
    }

    /**
     * A key of a peer's snapshot on a convergent channel (crdt/CRDT.md, "Full sync"): a data key is staged in the
     * reserved database (a string's value the peer did not store twice in its state is read from there); a state is
     * staged and joined into the local one, never overwriting newer local writes; positions as for any CRDB channel.
     */
    private void snapshotKey(RdbKey k) {
        String key = new String(k.key(), StandardCharsets.UTF_8);
        if (k.db() == Position.RESERVED_DB) {
            if (key.startsWith(Position.KEY_PREFIX)) {
                snapshotPositions.put(key.substring(Position.KEY_PREFIX.length()), k.dump());
            } else if (key.startsWith(STATE_PREFIX)) {
                append(RespCommand.of(RESTORE, stagedState, bytes("0"), k.dump(), REPLACE), Position.RESERVED_DB);
                append(RespCommand.of(FCALL, bytes(org.redissync.syncer.crdt.CrdtLibrary.MERGE_STATE), NO_KEYS, k.key(), stagedState,
                        stagedValues), Position.RESERVED_DB);
            }
            return; // the peer's clock, version vector and stages are its own
        }
        byte[] staged = concat(stagedValues, bytes(k.db() + ":"), k.key());
        append(RespCommand.of(RESTORE, staged, bytes("0"), k.dump(), REPLACE), Position.RESERVED_DB);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }

    private static boolean isOpRecord(RespCommand c) {
        return c.argc() == 3 && c.argIs(0, "SPUBLISH") && c.argEquals(1, OP_CHANNEL);
    }

    private void advance(Command c) {
        posReplId = c.replId();
        posOffset = c.endOffset();
        posDb = streamDb;
        if (pendingData == 0 && !rdbLoading) {
            settled(); // skipped or dropped: nothing of it waits to be applied
        }
    }

    private void settled() {
        if (posReplId != null && posOffset >= 0) {
            org.redissync.events.SyncerStatusEvent.StreamPosition p = appliedTo;
            if (p == null || p.offset() != posOffset || !posReplId.equals(p.replId())) {
                appliedTo = new org.redissync.events.SyncerStatusEvent.StreamPosition(posReplId, posOffset);
            }
        }
    }

    /**
     * Where in the source's stream everything received is applied to the local backend or was skipped (another
     * channel's writes, pings), or null before anything was. The position committed with the data may be behind it
     * by skipped bytes ({@code CHANNELS.md}): those need nothing applied.
     */
    org.redissync.events.SyncerStatusEvent.StreamPosition appliedTo() {
        return appliedTo;
    }

    private void append(RespCommand command, int db) {
        if (pendingDb != db) {
            pending.add(RespCommand.of(bytes("SELECT"), bytes(Integer.toString(db))));
            pendingDb = db;
        }
        pending.add(command);
        pendingData++;
    }

    private void noteWaiting(long receivedNanos) {
        if (oldestPendingNanos == 0) {
            oldestPendingNanos = receivedNanos;
        }
    }

    private void flushIfDue(boolean withPosition) throws InterruptedException {
        try {
            Position c = committed;
            boolean skippedEnough = posOffset >= 0 && c != null && !c.isNone()
                    && (!posReplIdMatches(c) || posOffset - c.offset() >= skipCommitBytes);
            if (pendingData > 0 || forceCommit || (withPosition && skippedEnough && !rdbLoading)) {
                flush(withPosition && !rdbLoading);
            } else if (queue.isEmpty()) {
                oldestPendingNanos = 0;
            }
        } catch (IOException e) {
            fail("backend " + backendAddress + ": " + e.getMessage(), false);
        } catch (Unrecoverable e) {
            fail(e.getMessage(), true);
        }
    }

    private boolean posReplIdMatches(Position c) {
        return posReplId != null && posReplId.equals(c.replId());
    }

    /** One local transaction: the pending data, the marker, and (when known) the position it reaches. */
    private void flush(boolean withPosition) throws IOException {
        ensureBackend();
        Position next = null;
        if (withPosition && posOffset >= 0 && posReplId != null) {
            Position base = committed == null ? Position.none() : committed;
            next = base.at(posReplId, posOffset, posDb);
            for (int i = 0; i < fullDelta; i++) {
                next = next.withFullResync();
            }
            for (int i = 0; i < partialDelta; i++) {
                next = next.withPartialResync();
            }
        }
        if (pendingData == 0 && next == null) {
            return;
        }
        backend.write("MULTI");
        for (RespCommand command : pending) {
            backend.write(command);
        }
        int queued = pending.size();
        if (pendingDb != 0) {
            backend.write("SELECT", "0");
            queued++;
        }
        backend.write("PUBLISH", MARKER_CHANNEL, channelId);
        queued++;
        boolean movedLegacy = false;
        if (next != null) {
            if (legacyKey) {
                backend.write("DEL", Position.key(channelId));
                queued++;
                movedLegacy = true;
            }
            backend.write("SELECT", Integer.toString(Position.RESERVED_DB));
            backend.write("SET", Position.key(channelId), next.encode());
            for (var sibling : siblingPositions.entrySet()) {
                backend.write("SET", sibling.getKey(), sibling.getValue());
                queued++;
            }
            backend.write("SELECT", "0");
            queued += 3;
        }
        backend.write("EXEC");
        backend.flush();
        String queueError = backend.skip(null);
        for (int i = 0; i < queued; i++) {
            String e = backend.skip(null);
            if (e != null && queueError == null) {
                queueError = e;
            }
        }
        int data = pendingData;
        pending.clear();
        pendingData = 0;
        pendingDb = 0;
        String execError = backend.skip(this::commandFailed);
        if (execError != null) {
            // EXECABORT: nothing of the batch was applied (OOM, a command this backend does not know…)
            throw new Unrecoverable("the local backend refused a batch: " + (queueError != null ? queueError : execError));
        }
        appliedCommands.addAndGet(data);
        if (!rdbLoading) {
            settled();
        }
        if (next != null) {
            committed = next;
            committedRunId = backendRunId;
            if (movedLegacy) {
                legacyKey = false;
            }
            fullDelta = 0;
            partialDelta = 0;
            forceCommit = false;
            siblingPositions.clear();
        }
        // what is still queued arrived after this batch's oldest command: approximate its age from now
        oldestPendingNanos = queue.isEmpty() ? 0 : System.nanoTime();
    }

    /**
     * The positions the snapshot holds for channels into its source, as positions of this backend's sibling channels
     * from the same peers (committed with the snapshot's end). The DUMP payloads are read back by Redis itself (a
     * {@code RESTORE} of each into a scratch key of the reserved database); each sibling keeps its own resync counters.
     */
    private void takeSiblingPositions() throws IOException {
        siblingPositions.clear();
        for (var e : snapshotPositions.entrySet()) {
            String sibling = loads.sibling(e.getKey());
            if (sibling == null) {
                continue;
            }
            Object restored = inReservedDb(RESTORE, SCRATCH, bytes("0"), e.getValue(), REPLACE);
            Object value = restored instanceof BackendConnection.Error err ? err : inReservedDb(bytes("GET"), SCRATCH);
            inReservedDb(bytes("DEL"), SCRATCH);
            Position theirs;
            try {
                theirs = value instanceof byte[] v ? decode(v) : null;
            } catch (IllegalArgumentException ex) {
                theirs = null;
            }
            if (theirs == null) {
                LOG.warnf("channel %s: the snapshot's position of %s is unreadable (%s); channel %s keeps its own", channelId, e.getKey(), value,
                        sibling);
                continue;
            }
            if (theirs.isNone()) {
                continue;
            }
            Object mine = checked(inReservedDb(bytes("GET"), bytes(Position.key(sibling))));
            Position own = mine instanceof byte[] m ? decode(m) : Position.none();
            Position next = own.at(theirs.replId(), theirs.offset(), theirs.db());
            siblingPositions.put(Position.key(sibling), next.encode());
            LOG.infof("channel %s: the snapshot holds %s's stream up to %s %d; channel %s goes on from there (it stood at %s %d)", channelId,
                    e.getKey(), theirs.replId(), theirs.offset(), sibling, own.replId(), own.offset());
        }
        snapshotPositions.clear();
    }

    /** A runtime error of one command (e.g. WRONGTYPE after a conflicting write): the rest of the batch and the position stand. */
    private void commandFailed(String message) {
        applyErrors.incrementAndGet();
        lastApplyError = message;
        LOG.warnf("channel %s: a replicated command failed on the local backend: %s", channelId, message);
    }

    private void barrier(Barrier b) {
        try {
            if (!broken && !rdbLoading) {
                inTxn = false;
                txn.clear();
                forceCommit |= fullDelta > 0 || partialDelta > 0;
                // Stream bytes skipped since the last commit (pings, echoes) are committed too: the channel then
                // resumes exactly where the stream stopped, whatever batches the items arrived in.
                Position c = committed;
                boolean skippedTail = posOffset >= 0 && c != null && !c.isNone() && (!posReplIdMatches(c) || posOffset > c.offset());
                if (pendingData > 0 || forceCommit || skippedTail) {
                    flush(true);
                }
            }
        } catch (IOException | Unrecoverable e) {
            LOG.warnf("channel %s: last batch not applied (%s); the source will resend it", channelId, e.getMessage());
        }
        reset();
        try {
            Position p = readPosition();
            resumeAt(p);
            b.done().complete(p);
        } catch (IOException e) {
            closeBackend();
            b.done().completeExceptionally(new IOException("backend " + backendAddress + ": " + e.getMessage(), e));
        }
    }

    private void reset() {
        broken = false;
        inTxn = false;
        txn.clear();
        pending.clear();
        pendingData = 0;
        pendingDb = 0;
        rdbLoading = false;
        skippingRdb = false;
        forceCommit = false;
        fullDelta = 0;
        partialDelta = 0;
        posOffset = -1;
        posReplId = null;
        oldestPendingNanos = 0;
    }

    /** The stream state of a connection that resumes at {@code p}. */
    private void resumeAt(Position p) {
        streamDb = p.db();
        posDb = p.db();
    }

    private void fail(String reason, boolean unrecoverable) {
        broken = true;
        pending.clear();
        pendingData = 0;
        pendingDb = 0;
        closeBackend();
        LOG.warnf("channel %s: %s", channelId, reason);
        listener.applyFailed(reason, unrecoverable);
    }

    private void ensureBackend() throws IOException {
        if (backend == null) {
            backend = BackendConnection.admin(backendAddress, 5000);
            backendRunId = runId(backend);
        }
    }

    /** The backend's {@code run_id} (INFO server), or null when it does not say. */
    private static String runId(BackendConnection b) throws IOException {
        Object info = b.call("INFO", "server");
        if (info instanceof byte[] bytes) {
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\r\n")) {
                if (line.startsWith("run_id:")) {
                    return line.substring("run_id:".length()).trim();
                }
            }
        }
        return null;
    }

    private void closeBackend() {
        if (backend != null) {
            backend.close();
            backend = null;
        }
    }

    private static boolean isMarker(RespCommand c) {
        return c.argc() >= 2 && c.argIs(0, "PUBLISH") && c.argEquals(1, MARKER);
    }

    /** Never applied: pings, loop markers, and the suite's own keys (channel positions). */
    static boolean dropped(RespCommand c) {
        return c.argIs(0, "PING") || c.argIs(0, "REPLCONF") || isMarker(c) || (c.argc() >= 2 && c.argStartsWith(1, RESERVED_PREFIX));
    }

    static boolean reserved(byte[] key) {
        return key.length >= RESERVED_PREFIX.length && java.util.Arrays.equals(key, 0, RESERVED_PREFIX.length, RESERVED_PREFIX, 0,
                RESERVED_PREFIX.length);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The backend refused a batch as a whole: retrying would refuse it again. */
    static final class Unrecoverable extends RuntimeException {
        Unrecoverable(String message) {
            super(message);
        }
    }
}
