package org.redissync.coordinator.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.redissync.events.BdbConfigEvent.BdbConfigured;
import org.redissync.events.CrdbConfigEvent.CrdbConfigured;
import org.redissync.events.CrdbConfigEvent.Instance;
import org.redissync.events.CrdbTaskEvent.ClusterProgress;
import org.redissync.events.CrdbTaskEvent.TaskError;
import org.redissync.events.CrdbTaskEvent.TaskUpdated;
import org.redissync.events.SyncState;
import org.redissync.events.SyncerStatusEvent;
import org.redissync.events.SyncerStatusEvent.ChannelStatus;
import org.redissync.events.SyncerStatusEvent.EndpointStatus;
import org.redissync.events.SyncerStatusEvent.ShardState;
import org.redissync.events.SyncerStatusEvent.ShardStatus;
import org.redissync.events.SyncerStatusEvent.SyncerHeartbeat;

/**
 * Is a CRDB task applied everywhere? A pure function of the desired state and what the
 * syncer-services report on {@code syncer.status}. For create and update, each participating
 * cluster is done when its instance's endpoint runs the instance's current generation and every
 * channel into it from a peer has observed the CRDB's target generation, is in sync, and is TLS
 * exactly when {@link CrdbConfigured#channelTls} says so. A delete is done when no instance endpoint listens.
 */
public final class TaskProgress {

    /** Per cluster: done or what it waits for. */
    public record Outcome(boolean done, List<ClusterProgress> progress, List<TaskError> pending) {
    }

    private TaskProgress() {
    }

    public static Outcome evaluate(TaskUpdated task, CrdbConfigured crdb, List<Instance> instances, Map<Long, BdbConfigured> bdbs,
            Map<String, SyncerStatusEvent> status, java.time.Instant now) {
        List<ClusterProgress> progress = new ArrayList<>();
        List<TaskError> pending = new ArrayList<>();
        boolean deleting = "delete_crdb".equals(task.operation());
        // the first step of a membership change (the task waits for the second, which the coordinator makes after it)
        boolean firstStep = !deleting && crdb != null && crdb.membershipChanging() && crdb.generation() < task.targetGeneration();
        for (Instance i : instances) {
            String waiting = deleting ? deletionWait(i, status)
                    : firstStep ? MembershipProgress.firstStepWait(crdb, i, bdbs, status)
                    : applyWait(task.targetGeneration(), crdb, i, instances, bdbs, status);
            if (firstStep && waiting == null) {
                waiting = "done with the first step (" + describe(crdb) + "); waiting for the coordinator to complete it";
            }
            if (waiting != null) { // what it waits for may be old news: say when the cluster has gone silent
                String w = waiting;
                waiting = SyncerHeartbeat.silence(status, i.cluster(), now).map(silent -> silent + "; its last report: " + w).orElse(w);
            }
            progress.add(new ClusterProgress(i.cluster(), waiting == null ? "done" : waiting));
            if (waiting != null) {
                pending.add(new TaskError(i.cluster(), waiting, "timeout"));
            }
        }
        return new Outcome(pending.isEmpty(), progress, pending);
    }

    private static String deletionWait(Instance i, Map<String, SyncerStatusEvent> status) {
        SyncerStatusEvent ep = status.get(i.cluster() + "/endpoint/" + i.bdbUid());
        if (ep instanceof EndpointStatus e && e.listening()) {
            return "endpoint of bdb " + i.bdbUid() + " still listening";
        }
        SyncerStatusEvent sh = status.get(i.cluster() + "/shard/" + i.bdbUid());
        if (sh instanceof ShardStatus h && h.state() != ShardState.DELETED) {
            return "redis-server of bdb " + i.bdbUid() + " not stopped yet";
        }
        return null;
    }

    /** "cluster-c joining" / "cluster-b leaving". */
    static String describe(CrdbConfigured crdb) {
        return String.join(", ", crdb.instances().stream().filter(i -> i.membership() != org.redissync.events.CrdbConfigEvent.Membership.ACTIVE)
                .map(i -> i.cluster() + " " + i.membership().name().toLowerCase()).toList());
    }

    /**
     * Null when instance {@code i} is applied at {@code target}: its endpoint and redis-server at its bdb's generation,
     * every channel into it from a peer at {@code target}, in sync, TLS exactly when it should be; else what it waits for.
     */
    static String applyWait(long target, CrdbConfigured crdb, Instance i, List<Instance> instances,
            Map<Long, BdbConfigured> bdbs, Map<String, SyncerStatusEvent> status) {
        BdbConfigured bdb = bdbs.get(i.bdbUid());
        if (bdb == null || crdb == null) {
            return "instance bdb " + i.bdbUid() + " is gone";
        }
        SyncerStatusEvent ep = status.get(i.cluster() + "/endpoint/" + i.bdbUid());
        if (!(ep instanceof EndpointStatus e)) {
            return "waiting for the syncer-service of " + i.cluster() + " to report bdb " + i.bdbUid();
        }
        if (e.observedGeneration() < bdb.generation() || !e.listening()) {
            return "endpoint of bdb " + i.bdbUid() + " at generation " + e.observedGeneration() + " of " + bdb.generation()
                    + (e.lastError() != null ? " (" + e.lastError() + ")" : "");
        }
        if (bdb.managed()) {
            SyncerStatusEvent sh = status.get(i.cluster() + "/shard/" + i.bdbUid());
            if (!(sh instanceof ShardStatus h)) {
                return "waiting for the redis-server of bdb " + i.bdbUid() + " to start";
            }
            if (h.state() != ShardState.RUNNING || h.observedGeneration() < bdb.generation()) {
                return "redis-server of bdb " + i.bdbUid() + " " + h.state().name().toLowerCase() + " at generation "
                        + h.observedGeneration() + " of " + bdb.generation() + (h.lastError() != null ? " (" + h.lastError() + ")" : "");
            }
        }
        for (Instance peer : instances) {
            if (peer.cluster().equals(i.cluster())) {
                continue;
            }
            String id = SyncerStatusEvent.crdbChannelId(crdb.guid(), peer.cluster(), i.cluster());
            SyncerStatusEvent s = status.get(SyncerStatusEvent.channelKey(i.cluster(), id));
            if (!(s instanceof ChannelStatus c)) {
                return "channel from " + peer.cluster() + " not reported yet";
            }
            if (c.observedGeneration() < target) {
                return "channel from " + peer.cluster() + " at generation " + c.observedGeneration() + " of " + target;
            }
            if (c.state() != SyncState.IN_SYNC) {
                return "channel from " + peer.cluster() + " " + c.state().name().toLowerCase().replace('_', '-')
                        + (c.lastError() != null ? ": " + c.lastError() : "");
            }
            String tls = tlsMismatch(c, crdb.channelTls(bdbs.get(peer.bdbUid())));
            if (tls != null) {
                return "channel from " + peer.cluster() + " " + tls;
            }
        }
        return null;
    }

    /** Null when the channel's connection is TLS exactly when {@code expected}; else what it is instead. */
    public static String tlsMismatch(ChannelStatus c, boolean expected) {
        boolean tls = c.tls() != null && c.tls().enabled();
        return tls == expected ? null : "is " + (tls ? "TLS" : "plaintext") + ", expected " + (expected ? "TLS" : "plaintext");
    }
}
