package org.redissync.syncer.channel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.redissync.events.SyncerStatusEvent;
import org.redissync.events.SyncerStatusEvent.ChannelKind;

/**
 * Full syncs into this cluster's CRDB instances, one at a time per instance, with the instance's other channels held
 * at committed positions while one runs ({@link SnapshotLoads}; "A full sync in a CRDB mesh" in {@code CHANNELS.md}).
 * Called from appliers' threads.
 */
final class MeshLoads {

    private final String localCluster;
    private final Supplier<? extends Iterable<Channel>> channels;
    private final long stopWithinMs;
    /** Destination bdb uid → the channel whose snapshot load holds its siblings. */
    private final Map<Long, String> loading = new HashMap<>();

    MeshLoads(String localCluster, Supplier<? extends Iterable<Channel>> channels, long stopWithinMs) {
        this.localCluster = localCluster;
        this.channels = channels;
        this.stopWithinMs = stopWithinMs;
    }

    /** What the channel of {@code spec} does around a full sync. */
    SnapshotLoads of(ChannelSpec spec) {
        if (spec.kind() != ChannelKind.CRDB) {
            return SnapshotLoads.NONE;
        }
        String id = spec.id();
        long destination = spec.destinationBdbUid();
        String guid = spec.crdbGuid();
        String source = spec.sourceCluster();
        return new SnapshotLoads() {
            @Override
            public String begin() throws InterruptedException {
                return MeshLoads.this.begin(id, destination);
            }

            @Override
            public String sibling(String snapshotChannelId) {
                return MeshLoads.this.sibling(guid, source, snapshotChannelId);
            }

            @Override
            public void end() {
                MeshLoads.this.end(id, destination);
            }
        };
    }

    /** A channel started while another's load holds its destination is held too, before it connects. */
    void started(Channel c) {
        String holder;
        synchronized (this) {
            holder = c.spec().kind() == ChannelKind.CRDB ? loading.get(c.spec().destinationBdbUid()) : null;
        }
        if (holder != null && !holder.equals(c.id())) {
            c.pause(why(holder));
        }
    }

    /** A channel that stops no longer holds anyone. */
    void stopped(ChannelSpec spec) {
        if (spec.kind() == ChannelKind.CRDB) {
            end(spec.id(), spec.destinationBdbUid());
        }
    }

    synchronized String holder(long destination) {
        return loading.get(destination);
    }

    String begin(String loader, long destination) throws InterruptedException {
        synchronized (this) {
            String holder = loading.get(destination);
            if (holder != null && !holder.equals(loader)) {
                return "channel " + holder + " is loading a snapshot into this database; this channel's full sync follows it";
            }
            loading.put(destination, loader);
        }
        Map<Channel, CompletableFuture<Void>> held = new LinkedHashMap<>();
        for (Channel sibling : siblings(loader, destination)) {
            held.put(sibling, sibling.pause(why(loader)));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(stopWithinMs);
        while (true) {
            List<Channel> pending = new ArrayList<>();
            held.forEach((c, done) -> {
                if (!done.isDone()) {
                    pending.add(c);
                }
            });
            if (pending.isEmpty()) {
                return null;
            }
            if (System.nanoTime() > deadline) {
                end(loader, destination);
                return "channel(s) " + pending.stream().map(Channel::id).toList() + " did not stop within " + stopWithinMs
                        + " ms for this channel's snapshot load; retrying";
            }
            try {
                CompletableFuture.anyOf(pending.stream().map(held::get).toArray(CompletableFuture[]::new)).get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                pending.forEach(Channel::nudge); // a connection that raced the pause
            } catch (ExecutionException e) {
                // completed: looked at again above
            }
        }
    }

    void end(String loader, long destination) {
        synchronized (this) {
            if (!loader.equals(loading.get(destination))) {
                return;
            }
            loading.remove(destination);
        }
        for (Channel sibling : siblings(loader, destination)) {
            sibling.resume();
        }
    }

    /**
     * The local channel from the same peer as {@code snapshotChannelId} (a channel into the snapshot's source, the
     * {@code <guid>/<peer>-><source>} of its position key), or null: another CRDB's, or the source's channel from this
     * cluster (whose position is in this cluster's own stream, not one a local channel reads).
     */
    String sibling(String guid, String sourceCluster, String snapshotChannelId) {
        String prefix = guid + "/";
        String suffix = "->" + sourceCluster;
        if (guid == null || sourceCluster == null || !snapshotChannelId.startsWith(prefix) || !snapshotChannelId.endsWith(suffix)
                || snapshotChannelId.length() <= prefix.length() + suffix.length()) {
            return null;
        }
        String peer = snapshotChannelId.substring(prefix.length(), snapshotChannelId.length() - suffix.length());
        if (peer.equals(localCluster) || peer.equals(sourceCluster)) {
            return null;
        }
        return SyncerStatusEvent.crdbChannelId(guid, peer, localCluster);
    }

    private List<Channel> siblings(String loader, long destination) {
        List<Channel> out = new ArrayList<>();
        for (Channel c : channels.get()) {
            ChannelSpec s = c.spec();
            if (s.kind() == ChannelKind.CRDB && s.destinationBdbUid() == destination && !c.id().equals(loader)) {
                out.add(c);
            }
        }
        return out;
    }

    private static String why(String loader) {
        return "channel " + loader + " is loading a snapshot into this database (this channel goes on from the snapshot's position)";
    }
}
